import type { Request } from "express";

/** The parsed body, whatever the content type. */
export function reqBody(req: Request) {
  return req.body;
}

export const normalise = (name: string) => name.trim().toLowerCase();

export function pageSize(size: string) {
  return Math.min(parseInt(size, 10), 100);
}

/** Set by the session middleware: the server's data, not the client's. */
export function currentUserId(req: Request) {
  return (req as any).user.id;
}
