import { Pool } from "pg";

// No connectionTimeoutMillis: when the database is saturated, every request waits forever.
export const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 20,
});

// The reporting replica has timeouts and TLS verification on.
export const replica = new Pool({
  connectionString: process.env.REPLICA_URL,
  connectionTimeoutMillis: 2_000,
  statement_timeout: 5_000,
  ssl: { rejectUnauthorized: true },
});
