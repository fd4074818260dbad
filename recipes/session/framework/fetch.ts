import { FetchRequest, HeadersResponse } from "../../../lib/framework/fetch";
import { makeUserContext } from "../../../lib/framework/core";
import { SessionRecipe } from "../recipe";
import type { SessionContainer } from "../sessionContainer";
import { getSessionFromRequest } from "../sessionRequest";
import type { VerifySessionOptions } from "../types";

/** A verified session and the headers to add to the app's response (a renewed access token, cleared cookies). */
export interface SessionWithHeaders {
  /** The session; undefined only with `sessionRequired: false` and no session. */
  session: SessionContainer | undefined;
  /** Headers to add to the response; session methods called later write here too, so add them last. */
  headers: Headers;
}

/**
 * Verifies a Web Request's session (the full SessionContainer; `latchkey/framework/fetch`'s getSession gives the
 * recipe-neutral interface). Throws a LatchkeyError that `errorToResponse` answers.
 */
export async function getSession(request: Request, options?: VerifySessionOptions): Promise<SessionWithHeaders> {
  const req = new FetchRequest(request);
  const res = new HeadersResponse();
  const recipe = SessionRecipe.getInstanceOrThrow();
  const session = await getSessionFromRequest(
    recipe.recipeInterfaceImpl,
    recipe.config,
    () => recipe.getContributedClaims(),
    req,
    res,
    options,
    makeUserContext(req),
  );
  return { session, headers: res.headers };
}
