// A minimal Fastify API with Latchkey: email/password sign-up and sign-in under /auth, and one protected route.
// Run it with `node --require tsx/cjs examples/fastify/server.ts`; in your own app, import from "latchkey".
import Fastify from "fastify";
import Latchkey from "../../lib/index";
import { errorHandler, plugin } from "../../lib/framework/fastify";
import Session from "../../recipes/session/index";
import EmailPassword from "../../recipes/emailpassword/index";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/fastify";

Latchkey.init({
  appInfo: { appName: "Fastify example", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
  database: process.env.DATABASE_URL ?? "sqlite:latchkey.sqlite",
  recipeList: [Session.init(), EmailPassword.init()],
});

const app = Fastify({ logger: true });
void app.register(plugin);
app.setErrorHandler(errorHandler());
app.get("/me", { preHandler: verifySession() }, async (request) => ({
  userId: (request as SessionRequest).session?.getUserId(),
}));
app.listen({ port: Number(process.env.PORT ?? 3001) }).catch((err: unknown) => {
  app.log.error(err);
  process.exit(1);
});
