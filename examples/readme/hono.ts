// The README's Hono server (test/package/readme-servers.test.ts checks the README shows it and runs it).
import { Hono } from "hono";
import { serve } from "@hono/node-server";
import Latchkey from "../../lib/index";
import Session from "../../recipes/session/index";
import EmailPassword from "../../recipes/emailpassword/index";
import { middleware, errorHandler } from "../../lib/framework/hono";
import { verifySession, type SessionVariables } from "../../recipes/session/framework/hono";

Latchkey.init({
  appInfo: { appName: "Shop", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
  recipeList: [Session.init(), EmailPassword.init()],
});
const app = new Hono<{ Variables: SessionVariables }>();
app.use(middleware()); // serves /auth/...
app.onError(errorHandler());
app.get("/me", verifySession(), (c) => c.json({ userId: c.get("session")?.getUserId() }));
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3001) });
