import express from "express";
import { health } from "./health";
import { orders } from "./orders";

export const app = express();
app.use(express.json());
app.use(health);
app.use("/orders", orders);
