// The README's Koa server (test/package/readme-servers.test.ts checks the README shows it and runs it).
import Koa from "koa";
import Latchkey from "../../lib/index";
import Session from "../../recipes/session/index";
import EmailPassword from "../../recipes/emailpassword/index";
import { middleware, errorHandler } from "../../lib/framework/koa";
import { verifySession, type SessionContext } from "../../recipes/session/framework/koa";

Latchkey.init({
  appInfo: { appName: "Shop", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
  recipeList: [Session.init(), EmailPassword.init()],
});
const app = new Koa();
app.use(errorHandler()); // first: it wraps what follows
app.use(middleware()); // serves /auth/...
app.use(verifySession()); // every route below needs a session: ctx.session
app.use((ctx) => void (ctx.body = { userId: (ctx as SessionContext).session?.getUserId() }));
app.listen(Number(process.env.PORT ?? 3001));
