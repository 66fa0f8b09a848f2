import { pool } from "../db";

export async function byOwner(owner: string | number) {
  const sql = "SELECT * FROM reports WHERE owner = '" + owner + "'";
  const result = await pool.query(sql);
  return result.rows;
}
