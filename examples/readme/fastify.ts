// The README's Fastify server (test/package/readme-servers.test.ts checks the README shows it and runs it).
import Fastify from "fastify";
import Latchkey from "../../lib/index";
import Session from "../../recipes/session/index";
import EmailPassword from "../../recipes/emailpassword/index";
import { plugin, errorHandler } from "../../lib/framework/fastify";
import { verifySession, type SessionRequest } from "../../recipes/session/framework/fastify";

Latchkey.init({
  appInfo: { appName: "Shop", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
  recipeList: [Session.init(), EmailPassword.init()],
});
const app = Fastify();
void app.register(plugin); // serves /auth/... before Fastify's routing and body parsing
app.setErrorHandler(errorHandler()); // Latchkey errors from your routes; the rest to Fastify's default
app.get("/me", { preHandler: verifySession() }, async (req) => ({
  userId: (req as SessionRequest).session?.getUserId(),
}));
void app.listen({ port: Number(process.env.PORT ?? 3001) });
