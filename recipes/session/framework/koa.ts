import type { Context, Middleware, Next } from "koa";
import { KoaResponse, wrapRequest } from "../../../lib/framework/koa";
import type { SessionContainer } from "../sessionContainer";
import type { VerifySessionOptions } from "../types";
import { sessionVerifier } from "./verify";

/** A Koa context after verifySession(): `ctx.session` (undefined only with sessionRequired: false). */
export type SessionContext = Context & { session?: SessionContainer };

/**
 * Koa middleware that verifies the request's session and sets `ctx.session`. Session errors are answered here (401
 * try refresh token, and so on); anything else is thrown to the middleware above (errorHandler, then Koa).
 *
 * @example
 * ```ts
 * app.use(verifySession()); // every route below needs a session: ctx.session
 * app.use((ctx) => void (ctx.body = { userId: (ctx as SessionContext).session?.getUserId() }));
 * ```
 */
export function verifySession(options?: VerifySessionOptions): Middleware {
  const verify = sessionVerifier(options);
  return async (ctx: Context, next: Next) => {
    const outcome = await verify(wrapRequest(ctx), new KoaResponse(ctx));
    if (outcome.answered) return;
    (ctx as SessionContext).session = outcome.session;
    await next();
  };
}
