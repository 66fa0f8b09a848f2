import { Router } from "express";
import { ordersByOwner } from "@acme/db/orders";
import { db } from "@acme/db";
import { oldOrders } from "@acme/legacy";

export const router = Router();

router.get("/orders", async (req, res) => {
  res.json(await ordersByOwner(req.query.owner as string));
});

router.get("/search", async (req, res) => {
  res.json(await db.search(req.query.term as string));
});

router.get("/legacy", async (req, res) => {
  // A published version of the package, not the workspace's: its code is not this repository's.
  res.json(await oldOrders(req.query.owner as string));
});
