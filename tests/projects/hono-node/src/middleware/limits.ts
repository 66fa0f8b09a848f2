import { bodyLimit } from "hono/body-limit";

export const limits = bodyLimit({ maxSize: 512 * 1024, onError: (c) => c.text("payload too large", 413) });
