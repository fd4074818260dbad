import type { IncomingMessage } from "node:http";
import type { Context, ErrorHandler, MiddlewareHandler } from "hono";
import { answerError, serveAuthRoute } from "../core";
import { FetchRequest } from "../fetch/request";
import { appendHeaders, HeadersResponse } from "../headersResponse";

export { appendHeaders, FetchRequest, HeadersResponse };

/**
 * Latchkey's view of a Hono request. On @hono/node-server the target is taken as the client sent it and the peer's
 * address from node's request, as under express; elsewhere the Request's URL, and no address (limits per email only).
 */
export function wrapRequest(c: Context): FetchRequest {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return new FetchRequest(c.req.raw, { rawTarget: incoming?.url, remoteAddress: incoming?.socket.remoteAddress });
}

/** Hono middleware that serves every Latchkey route under apiBasePath and calls `next()` for the rest. */
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
