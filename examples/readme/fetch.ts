// The README's server on Web Request/Response alone (test/package/readme-servers.test.ts checks the README shows it
// and runs it). @hono/node-server here only carries node's requests to the fetch function; Hono itself is not used.
import { serve, type HttpBindings, type Http2Bindings } from "@hono/node-server";
import Latchkey from "../../lib/index";
import Session from "../../recipes/session/index";
import EmailPassword from "../../recipes/emailpassword/index";
import { handler, errorToResponse } from "../../lib/framework/fetch";
import { getSession } from "../../recipes/session/framework/fetch";

Latchkey.init({
  appInfo: { appName: "Shop", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
  recipeList: [Session.init(), EmailPassword.init()],
});
async function app(request: Request, { incoming }: HttpBindings | Http2Bindings): Promise<Response> {
  const auth = await handler(request, { rawTarget: incoming.url, remoteAddress: incoming.socket.remoteAddress });
  if (auth !== undefined) return auth; // an auth route under /auth
  if (new URL(request.url).pathname !== "/me") return new Response("Not found", { status: 404 });
  try {
    const { session, headers } = await getSession(request); // headers: refreshed or cleared tokens, for your answer
    return Response.json({ userId: session?.getUserId() }, { headers });
  } catch (err) {
    return (await errorToResponse(err, request)) ?? Response.json({ message: "internal error" }, { status: 500 });
  }
}
serve({ fetch: app, port: Number(process.env.PORT ?? 3001) });
