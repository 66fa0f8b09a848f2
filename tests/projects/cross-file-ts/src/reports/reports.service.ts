import { Injectable } from "@nestjs/common";
import { Pool } from "pg";

@Injectable()
export class ReportsService {
  constructor(private readonly db: Pool) {}

  async byTag(tag: string) {
    return this.db.query(`SELECT * FROM reports WHERE tag = '${tag}'`);
  }

  async byTagSafely(tag: string) {
    return this.db.query("SELECT * FROM reports WHERE tag = $1", [tag]);
  }
}
