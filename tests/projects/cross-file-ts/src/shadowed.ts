import { Router } from "express";
import { exportReport } from "./services/reports";

export const shadowed = Router();

shadowed.post("/export", (req, res) => {
  // A local function of the same name hides the import.
  const exportReport = (format: string) => res.attachment(`report.${format}`);
  exportReport(req.body.format);
  res.end();
});
