// Latchkey for a Next.js app (App Router): imported by the route handlers, it initialises Latchkey once per process.
// In your own app, import from "latchkey" instead of the relative paths below.
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import Session from "../../recipes/session/index";
import EmailPassword from "../../recipes/emailpassword/index";

// Next.js may load a module more than once in development; init only the first time.
if (Core.instanceIfInitialised() === undefined) {
  Latchkey.init({
    appInfo: {
      appName: "Next.js example",
      apiDomain: "http://localhost:3000",
      websiteDomain: "http://localhost:3000",
      apiBasePath: "/api/auth",
    },
    database: process.env.DATABASE_URL ?? "sqlite:latchkey.sqlite",
    recipeList: [Session.init(), EmailPassword.init()],
  });
}
