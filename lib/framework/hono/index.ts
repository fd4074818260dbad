import type { IncomingMessage } from "node:http";
import type { Context, ErrorHandler, MiddlewareHandler } from "hono";
import { answerError, serveAuthRoute } from "../core";
import { FetchRequest } from "../fetch/request";
import { appendHeaders, HeadersResponse } from "../headersResponse";

export { appendHeaders, FetchRequest, HeadersResponse };

/**
 * Latchkey's view of a Hono request. On @hono/node-server the target is taken as the client sent it and the peer's
 * address from node's request, as under express; elsewhere the Request's URL, and no address (limits per email only).
 *
 * @example
 * ```ts
 * app.post("/login", async (c) => {
 *   // ... check the user's credentials ...
 *   const response = new HeadersResponse(); // collects the session's cookies and headers
 *   await Session.createNewSession(wrapRequest(c), response, userId);
 *   return c.json({ ok: true }, { headers: response.headers });
 * });
 * ```
 */
export function wrapRequest(c: Context): FetchRequest {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return new FetchRequest(c.req.raw, { rawTarget: incoming?.url, remoteAddress: incoming?.socket.remoteAddress });
}

/**
 * Hono middleware that serves every Latchkey route under apiBasePath and calls `next()` for the rest.
 *
 * @example
 * ```ts
 * const app = new Hono();
 * app.use(middleware()); // serves /auth/...; other requests go on
 * app.onError(errorHandler());
 * ```
 */
export function middleware(): MiddlewareHandler {
  return async (c, next) => {
    const response = new HeadersResponse();
    if (await serveAuthRoute(wrapRequest(c), response)) return response.toResponse();
    await next();
    return undefined;
  };
}

/**
 * Hono error handler (`app.onError(errorHandler())`): answers LatchkeyErrors (from verifySession, your routes) as
 * express's errorHandler does; anything else gets Hono's default answer (an HTTPException's own, else a 500).
 *
 * @example
 * ```ts
 * app.onError(errorHandler()); // a refused session is a 401, not Hono's 500
 * ```
 */
export function errorHandler(): ErrorHandler {
  return async (err, c) => {
    const response = new HeadersResponse();
    if (await answerError(err, wrapRequest(c), response)) return response.toResponse();
    const http = err as { getResponse?: () => Response };
    if (typeof http.getResponse === "function") return http.getResponse();
    console.error(err);
    return c.text("Internal Server Error", 500);
  };
}
