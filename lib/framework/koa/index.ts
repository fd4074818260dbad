import type { Context, Middleware, Next } from "koa";
import { answerError, serveAuthRoute } from "../core";
import { NodeRequest } from "../node/request";
import { KoaResponse } from "./response";

export { KoaResponse };

/** Latchkey's view of a Koa request: the raw node request, with the body a parser (koa-bodyparser) set, if any. */
export function wrapRequest(ctx: Context): NodeRequest {
  return new NodeRequest(ctx.req, {
    parsedBody: () => (ctx.request as { body?: unknown }).body,
    target: () => ctx.originalUrl,
  });
}

/** Latchkey's view of a Koa response (for Session.createNewSession(wrapRequest(ctx), wrapResponse(ctx), ...)). */
export function wrapResponse(ctx: Context): KoaResponse {
  return new KoaResponse(ctx);
}

/** Koa middleware that serves every Latchkey route under apiBasePath and calls `next()` for the rest. */
export function middleware(): Middleware {
  return async (ctx: Context, next: Next) => {
    if (!(await serveAuthRoute(wrapRequest(ctx), new KoaResponse(ctx)))) await next();
  };
}

/**
 * Koa error handler, used first (`app.use(errorHandler())`): answers LatchkeyErrors thrown below it (verifySession,
 * your routes) and body-parser failures on auth routes as express's does; anything else is rethrown to Koa.
 */
export function errorHandler(): Middleware {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      if (!(await answerError(err, wrapRequest(ctx), new KoaResponse(ctx)))) throw err;
    }
  };
}
