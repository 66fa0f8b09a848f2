import { Pool } from "pg";

const pool = new Pool({ connectionTimeoutMillis: 5000 });

export async function oldOrders(owner: string) {
  return (await pool.query(`SELECT * FROM orders WHERE owner = '${owner}'`)).rows;
}
