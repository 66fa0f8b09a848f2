import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { limits } from "./middleware/limits";
import { notes } from "./routes/notes";

const app = new Hono();
app.use("*", limits);
app.route("/notes", notes);
app.get("/healthz", (c) => c.text("ok"));

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) });
