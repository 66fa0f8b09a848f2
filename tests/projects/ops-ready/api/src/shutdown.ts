import type { Server } from "node:http";

export function drainOnTerm(server: Server): void {
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
