import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { answerError, serveAuthRoute } from "../core";
import { NodeRequest } from "../node/request";
import { FastifyResponse } from "./response";

export { FastifyResponse };

/**
 * Latchkey's view of a Fastify request: the raw node request, with the body Fastify parsed if it did.
 *
 * @example
 * ```ts
 * app.post("/login", async (request, reply) => {
 *   // ... check the user's credentials ...
 *   await Session.createNewSession(wrapRequest(request), wrapResponse(reply), userId);
 *   return { ok: true };
 * });
 * ```
 */
export function wrapRequest(request: FastifyRequest): NodeRequest {
  return new NodeRequest(request.raw, { parsedBody: () => request.body, target: () => request.raw.url });
}

/**
 * Latchkey's view of a Fastify reply (for Session.createNewSession(wrapRequest(req), wrapResponse(reply), ...)).
 *
 * @example
 * ```ts
 * app.get("/me", async (request, reply) => {
 *   const session = await Session.getSession(wrapRequest(request), wrapResponse(reply), { sessionRequired: false });
 *   return { userId: session?.getUserId() ?? null };
 * });
 * ```
 */
export function wrapResponse(reply: FastifyReply): FastifyResponse {
  return new FastifyResponse(reply);
}

/**
 * The Fastify plugin: serves every Latchkey route under apiBasePath from an `onRequest` hook, before Fastify's
 * routing and body parsing, so it works whatever content-type parsers the app has (or none) and whichever routes it
 * declares. Requests that are not auth routes go on untouched. Register it at the root: `app.register(plugin)`.
 */
const latchkeyPlugin: FastifyPluginAsync = async (fastify) => {
  fastify.addHook("onRequest", async (request, reply) => {
    // Fastify has not read the body yet: the raw stream is Latchkey's to read, as under express without a parser.
    const served = await serveAuthRoute(new NodeRequest(request.raw), new FastifyResponse(reply));
    if (served) return reply;
    return undefined;
  });
};
// Hooks of a plugin apply to the whole app (and its 404 handler) only without encapsulation (what fastify-plugin does).
(latchkeyPlugin as unknown as Record<symbol, unknown>)[Symbol.for("skip-override")] = true;
(latchkeyPlugin as unknown as Record<symbol, unknown>)[Symbol.for("fastify.display-name")] = "latchkey";

/**
 * The Fastify plugin that serves Latchkey's routes (see above); register it at the root, not under a prefix.
 *
 * @example
 * ```ts
 * const app = Fastify();
 * await app.register(plugin); // serves /auth/... before Fastify's routing and body parsing
 * app.setErrorHandler(errorHandler());
 * ```
 */
export const plugin: FastifyPluginAsync = latchkeyPlugin;

/**
 * Fastify error handler (`app.setErrorHandler(errorHandler())`): answers LatchkeyErrors (from verifySession, your
 * routes, ...) and body-parse failures on auth routes as express's does; anything else goes to Fastify's default.
 *
 * @example
 * ```ts
 * app.setErrorHandler(errorHandler()); // a refused session is a 401, not Fastify's 500
 * ```
 */
export function errorHandler(): (error: unknown, request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (error, request, reply) => {
    if (await answerError(fastifyParseError(error), wrapRequest(request), new FastifyResponse(reply))) return;
    // Sending the error from an error handler hands it to the parent (Fastify's default) handler.
    reply.send(error);
  };
}

// Fastify's own JSON parser fails with codes of its own; they mean what body-parser's types do.
const FASTIFY_PARSE_TYPES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "entity.parse.failed",
  FST_ERR_CTP_EMPTY_JSON_BODY: "entity.parse.failed",
  FST_ERR_CTP_BODY_TOO_LARGE: "entity.too.large",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "request.size.invalid",
};

function fastifyParseError(error: unknown): unknown {
  const e = error as { code?: unknown; statusCode?: unknown } | null;
  const type = typeof e?.code === "string" ? FASTIFY_PARSE_TYPES[e.code] : undefined;
  return type === undefined ? error : { status: typeof e?.statusCode === "number" ? e.statusCode : 400, type };
}
