import { Injectable } from "@nestjs/common";
import { pool } from "../db";

@Injectable()
export class ReportsService {
  async byTag(tag: string) {
    return pool.query(`SELECT * FROM reports WHERE tag = '${tag}'`);
  }

  async byTagSafely(tag: string) {
    return pool.query("SELECT * FROM reports WHERE tag = $1", [tag]);
  }
}
