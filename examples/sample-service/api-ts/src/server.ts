import express from "express";
import jwt from "jsonwebtoken";
import { pool } from "./db";
import { ledger, payments } from "./payments";

const app = express();
app.use(express.json());

const JWT_SECRET = process.env.JWT_SECRET || "dev-secret-do-not-use";

app.post("/login", async (req, res) => {
  const { rows } = await pool.query("select id, role from users where email = $1", [req.body.email]);
  const token = jwt.sign({ sub: rows[0].id, role: rows[0].role }, JWT_SECRET, { expiresIn: "15m" });
  res.json({ token });
});

app.post("/orders/:id/pay", async (req, res) => {
  const charge = await payments.post("/charges", { order: req.params.id });
  await ledger.post("/entries", { charge: charge.data.id });
  res.status(201).json({ ok: true });
});

app.listen(3000, () => console.log("listening on http://localhost:3000"));
