import type { Context, Middleware, Next } from "koa";
import { answerError, serveAuthRoute } from "../core";
import { NodeRequest } from "../node/request";
import { KoaResponse } from "./response";

export { KoaResponse };

/**
 * Latchkey's view of a Koa request: the raw node request, with the body a parser (koa-bodyparser) set, if any.
 *
 * @example
 * ```ts
 * app.use(async (ctx, next) => {
 *   if (ctx.path !== "/login") return next();
 *   // ... check the user's credentials ...
 *   await Session.createNewSession(wrapRequest(ctx), wrapResponse(ctx), userId);
 *   ctx.body = { ok: true };
 * });
 * ```
 */
export function wrapRequest(ctx: Context): NodeRequest {
  return new NodeRequest(ctx.req, {
    parsedBody: () => (ctx.request as { body?: unknown }).body,
    target: () => ctx.originalUrl,
  });
}

/**
 * Latchkey's view of a Koa response (for Session.createNewSession(wrapRequest(ctx), wrapResponse(ctx), ...)).
 *
 * @example
 * ```ts
 * app.use(async (ctx) => {
 *   const session = await Session.getSession(wrapRequest(ctx), wrapResponse(ctx), { sessionRequired: false });
 *   ctx.body = { userId: session?.getUserId() ?? null };
 * });
 * ```
 */
export function wrapResponse(ctx: Context): KoaResponse {
  return new KoaResponse(ctx);
}

/**
 * Koa middleware that serves every Latchkey route under apiBasePath and calls `next()` for the rest.
 *
 * @example
 * ```ts
 * const app = new Koa();
 * app.use(errorHandler()); // first: it wraps what follows
 * app.use(middleware()); // serves /auth/...; other requests go on
 * ```
 */
export function middleware(): Middleware {
  return async (ctx: Context, next: Next) => {
    if (!(await serveAuthRoute(wrapRequest(ctx), new KoaResponse(ctx)))) await next();
  };
}

/**
 * Koa error handler, used first (`app.use(errorHandler())`): answers LatchkeyErrors thrown below it (verifySession,
 * your routes) and body-parser failures on auth routes as express's does; anything else is rethrown to Koa.
 *
 * @example
 * ```ts
 * app.use(errorHandler()); // before everything else: a refused session is a 401, not Koa's 500
 * app.use(middleware());
 * ```
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
