// The README's express server (test/package/readme-servers.test.ts checks the README shows it and runs it).
import express from "express";
import Latchkey from "../../lib/index";
import Session from "../../recipes/session/index";
import EmailPassword from "../../recipes/emailpassword/index";
import { middleware, errorHandler } from "../../lib/framework/express";
import { verifySession, type SessionRequest } from "../../recipes/session/framework/express";

Latchkey.init({
  appInfo: { appName: "Shop", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
  recipeList: [Session.init(), EmailPassword.init()],
});
const app = express();
app.use(middleware()); // serves /auth/..., next() for everything else
app.get("/me", verifySession(), (req: SessionRequest, res) => void res.json({ userId: req.session?.getUserId() }));
app.use(errorHandler()); // Latchkey errors from your routes: 401, 403 with the failed claims
app.listen(Number(process.env.PORT ?? 3001));
