import express from "express";
import { orders } from "./orders";

export const app = express();
app.use(express.json());
app.use("/orders", orders);
