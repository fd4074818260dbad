import { LatchkeyError } from "../../../lib/error";
import { makeUserContext } from "../../../lib/framework/core";
import type { BaseRequest, BaseResponse } from "../../../lib/framework/request";
import { Latchkey } from "../../../lib/latchkey";
import type { UserContext } from "../../../lib/types";
import { SessionRecipe } from "../recipe";
import type { SessionContainer } from "../sessionContainer";
import { checkVerifySessionOptions, getSessionFromRequest } from "../sessionRequest";
import type { VerifySessionOptions } from "../types";

/** What verifying a request gave: its session, or an answer already written (401, 403, ...) to the response. */
export type VerifyOutcome = { answered: false; session: SessionContainer | undefined } | { answered: true };

/**
 * verifySession's work for every framework: checks `options` now (a wrong option or validator is INVALID_CONFIG
 * when the route is set up, not a failure on every request), then per request verifies the session. Session errors
 * are answered on the response; anything else is thrown for the framework's error handling.
 */
export function sessionVerifier(
  options: VerifySessionOptions | undefined,
): (request: BaseRequest, response: BaseResponse) => Promise<VerifyOutcome> {
  checkVerifySessionOptions("verifySession", options, () => {
    try {
      return SessionRecipe.getInstanceOrThrow().getContributedClaims().validators;
    } catch {
      return undefined; // before Latchkey.init(): the validators are checked per request
    }
  });
  return async (request, response) => {
    const userContext = makeUserContext(request);
    try {
      return { answered: false, session: await verifyRequestSession(request, response, options, userContext) };
    } catch (err) {
      if (
        LatchkeyError.isErrorFromAuth(err) &&
        (await Latchkey.getInstanceOrThrow().handleError(err, request, response, userContext))
      )
        return { answered: true };
      throw err;
    }
  };
}

/** Verifies the request's session with the session recipe's implementation, config and claims; errors are thrown. */
export function verifyRequestSession(
  request: BaseRequest,
  response: BaseResponse,
  options: VerifySessionOptions | undefined,
  userContext: UserContext = makeUserContext(request),
): Promise<SessionContainer | undefined> {
  const recipe = SessionRecipe.getInstanceOrThrow();
  return getSessionFromRequest(
    recipe.recipeInterfaceImpl,
    recipe.config,
    () => recipe.getContributedClaims(),
    request,
    response,
    options,
    userContext,
  );
}
