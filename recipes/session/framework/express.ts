import type { ServerResponse } from "node:http";
import { type ExpressLikeRequest, ExpressRequest, type NextFunction } from "../../../lib/framework/express";
import { ExpressResponse } from "../../../lib/framework/express/response";
import type { SessionContainer } from "../sessionContainer";
import type { VerifySessionOptions } from "../types";
import { sessionVerifier } from "./verify";

/** An express request after verifySession(): `req.session` is set (undefined only with sessionRequired: false). */
export type SessionRequest = ExpressLikeRequest & { session?: SessionContainer };

/**
 * express middleware that verifies the request's session and sets `req.session`. Session errors are answered here
 * (401 try refresh token, and so on); anything else goes to `next(err)`.
 *
 * @example
 * ```ts
 * app.get("/me", verifySession(), (req: SessionRequest, res) => {
 *   res.json({ userId: req.session!.getUserId() });
 * });
 * app.get("/admin", verifySession({ overrideGlobalClaimValidators: (v) => [...v, isAdmin.validators.isTrue()] }), handler);
 * ```
 */
export function verifySession(
  options?: VerifySessionOptions,
): (req: SessionRequest, res: ServerResponse, next: NextFunction) => Promise<void> {
  const verify = sessionVerifier(options);
  return async (req, res, next) => {
    let outcome;
    try {
      outcome = await verify(new ExpressRequest(req), new ExpressResponse(res));
    } catch (err) {
      next(err);
      return;
    }
    if (outcome.answered) return;
    req.session = outcome.session;
    next();
  };
}
