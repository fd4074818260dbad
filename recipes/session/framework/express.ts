import type { ServerResponse } from "node:http";
import { LatchkeyError } from "../../../lib/error";
import {
  type ExpressLikeRequest,
  ExpressRequest,
  makeUserContext,
  type NextFunction,
} from "../../../lib/framework/express";
import { ExpressResponse } from "../../../lib/framework/express/response";
import { Latchkey } from "../../../lib/latchkey";
import { SessionRecipe } from "../recipe";
import type { SessionContainer } from "../sessionContainer";
import { checkVerifySessionOptions, getSessionFromRequest } from "../sessionRequest";
import type { VerifySessionOptions } from "../types";

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
  // A wrong option or validator is INVALID_CONFIG here, when the route is set up, not a failure on every request.
  checkVerifySessionOptions("verifySession", options, () => {
    try {
      return SessionRecipe.getInstanceOrThrow().getContributedClaims().validators;
    } catch {
      return undefined; // before Latchkey.init(): the validators are checked per request
    }
  });
  return async (req, res, next) => {
    const request = new ExpressRequest(req);
    const response = new ExpressResponse(res);
    const userContext = makeUserContext(request);
    try {
      const recipe = SessionRecipe.getInstanceOrThrow();
      req.session = await getSessionFromRequest(
        recipe.recipeInterfaceImpl,
        recipe.config,
        () => recipe.getContributedClaims(),
        request,
        response,
        options,
        userContext,
      );
      next();
    } catch (err) {
      try {
        if (
          LatchkeyError.isErrorFromAuth(err) &&
          (await Latchkey.getInstanceOrThrow().handleError(err, request, response, userContext))
        )
          return;
      } catch (handlerErr) {
        next(handlerErr);
        return;
      }
      next(err);
    }
  };
}
