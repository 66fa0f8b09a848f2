import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";

const draft = z.object({ title: z.string().max(200), body: z.string().max(10_000) });
const saved: { title: string; body: string }[] = [];

export const notes = new Hono();

notes.post("/", zValidator("json", draft), (c) => {
  saved.push(c.req.valid("json"));
  return c.json({ count: saved.length }, 201);
});

notes.post("/import", async (c) => {
  const text = await c.req.text();
  const lines = text.split("\n").filter(Boolean);
  return c.json({ imported: lines.length });
});
