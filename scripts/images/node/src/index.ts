import express from "express";
import { greeting } from "./greeting";

const app = express();
app.get("/", (_request, response) => {
  response.send(greeting("world"));
});
app.listen(Number(process.env.PORT ?? 8080));
