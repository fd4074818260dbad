import type { UserContext } from "../../../lib/types";
import { getSessionFromRequest } from "../sessionRequest";
import type { APIInterface, APIOptions } from "../types";

/** POST {apiBasePath}/signout: revokes the request's session (if any) and clears its tokens. */
export async function handleSignOut(
  api: APIInterface,
  options: APIOptions,
  userContext: UserContext,
): Promise<boolean> {
  if (api.signOutPOST === undefined) return false;
  // Signing out never depends on claims: an unverified user can still sign out.
  const noClaims = () => ({ validators: [] });
  const session = await getSessionFromRequest(
    options.recipeImplementation,
    options.config,
    noClaims,
    options.req,
    options.res,
    { sessionRequired: false },
    userContext,
  );
  options.res.sendJSON(await api.signOutPOST({ session, options, userContext }));
  return true;
}
