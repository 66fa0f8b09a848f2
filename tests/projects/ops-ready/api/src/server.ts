import { app } from "./app";
import { drainOnTerm } from "./shutdown";

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, () => console.log(`listening on ${port}`));
drainOnTerm(server);
