import { Router } from "express";
import { ownerReport, exportReport, checkedExport, reportFor, reportForId, usersByOwner } from "./services";
import * as preview from "@/lib/preview";

export const router = Router();

router.get("/reports", async (req, res) => {
  res.json(await ownerReport(req.query.owner as string));
});

router.post("/export", (req, res) => {
  exportReport(req.body.format);
  res.sendStatus(202);
});

router.get("/preview", async (req, res) => {
  res.json(await preview.fetchPreview(req.query.url as string));
});

router.get("/deep", async (req, res) => {
  res.json({ count: await reportFor(req.query.owner as string) });
});

router.post("/checked", (req, res) => {
  checkedExport(req.body.format);
  res.sendStatus(202);
});

router.get("/by-id", async (req, res) => {
  res.json(await reportForId(req.query.id as string));
});

router.get("/users", async (req, res) => {
  res.json(await usersByOwner(req.query.owner as string));
});

router.get("/repository", async (req, res) => {
  // The host is written here: the owner only chooses a path on it.
  res.json(await preview.fetchFromApi(`https://api.github.com/repos/${req.query.owner}`));
});
