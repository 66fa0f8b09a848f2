import { Router } from "express";
import { pool } from "./db";
import { currentUserId, normalise, pageSize, reqBody } from "./http/body";

export const search = Router();

search.post("/search", async (req, res) => {
  const { term } = reqBody(req);
  res.json(await pool.query(`SELECT * FROM notes WHERE body LIKE '%${term}%'`));
});

search.get("/by-name", async (req, res) => {
  const name = normalise(req.query.name as string);
  res.json(await pool.query("SELECT * FROM notes WHERE owner = '" + name + "'"));
});

search.get("/page", async (req, res) => {
  const size = pageSize(req.query.size as string);
  res.json(await pool.query(`SELECT * FROM notes LIMIT ${size}`));
});

search.get("/mine", async (req, res) => {
  res.json(await pool.query(`SELECT * FROM notes WHERE owner = '${currentUserId(req)}'`));
});
