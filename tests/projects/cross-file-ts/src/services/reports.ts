import { exec } from "node:child_process";
import { pool } from "../db";
import { byOwner } from "../repositories/reports";

const FORMATS = ["csv", "pdf"];

export async function ownerReport(owner: string) {
  return pool.query(`SELECT * FROM reports WHERE owner = '${owner}'`);
}

export function exportReport(format: string) {
  exec(`report-tool --format ${format}`);
}

// The format is checked against a list before it reaches the shell.
export function checkedExport(format: string) {
  if (!FORMATS.includes(format)) {
    throw new Error("unknown format");
  }
  exec(`report-tool --format ${format}`);
}

// Two layers down: the repository runs the SQL.
export async function reportFor(owner: string) {
  const rows = await byOwner(owner);
  return rows.length;
}

// Validated in the middle layer: what reaches the repository is a number.
export async function reportForId(id: string) {
  const owner = parseInt(id, 10);
  return byOwner(owner);
}
