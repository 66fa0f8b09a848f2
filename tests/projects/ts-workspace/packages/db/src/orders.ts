import { pool } from "./client";

export async function ordersByOwner(owner: string) {
  const result = await pool.query(`SELECT * FROM orders WHERE owner = '${owner}'`);
  return result.rows;
}
