import type { UserContext } from "../../../lib/types";
import { getSessionFromRequest } from "../sessionRequest";
import type { APIInterface, APIOptions } from "../types";

/** POST {apiBasePath}/signout: revokes the request's session (if any) and clears its tokens. */
export async function handleSignOut(api: APIInterface, options: APIOptions, userContext: UserContext): Promise<boolean> {
  if (api.signOutPOST === undefined) return false;
  const session = await getSessionFromRequest(options.recipeImplementation, options.config, options.req, options.res, { sessionRequired: false }, userContext);
  options.res.sendJSON(await api.signOutPOST({ session, options, userContext }));
  return true;
}
