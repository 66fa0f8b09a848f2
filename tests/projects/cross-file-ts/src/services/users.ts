import { pool } from "../db";

// Same name as the repository's function, but parameterised.
export async function byOwner(owner: string) {
  return pool.query("SELECT * FROM users WHERE owner = $1", [owner]);
}
