import type { UserContext } from "../../../lib/types";
import type { APIInterface, APIOptions } from "../types";

/** POST {apiBasePath}/session/refresh: rotates the tokens; the new ones go out in cookies or headers. */
export async function handleRefresh(
  api: APIInterface,
  options: APIOptions,
  userContext: UserContext,
): Promise<boolean> {
  if (api.refreshPOST === undefined) return false;
  await api.refreshPOST({ options, userContext });
  options.res.sendJSON({});
  return true;
}
