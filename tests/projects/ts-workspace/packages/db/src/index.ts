import { pool } from "./client";

export const db = {
  async search(term: string) {
    const result = await pool.query("SELECT * FROM products WHERE name LIKE '%" + term + "%'");
    return result.rows;
  },
};
