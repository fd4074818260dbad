import { LatchkeyError } from "../../../lib/error";
import type { VerifySessionOptions } from "../../../lib/seams";
import type { UserContext } from "../../../lib/types";
import type { APIInterface, APIOptions } from "../types";

// The route a session uses to learn what it still has to complete, so it cannot demand that it has.
const noClaims: VerifySessionOptions = { overrideGlobalClaimValidators: () => [] };

/** PUT /mfa/info (GET too): the session's factors, with its MFA claim brought up to date on the response. */
export async function mfaInfo(api: APIInterface, options: APIOptions, userContext: UserContext): Promise<boolean> {
  if (api.resyncSessionAndFetchMFAInfoPUT === undefined) return false;
  const session = await options.sessions.getSession({
    req: options.req,
    res: options.res,
    options: noClaims,
    userContext,
  });
  if (session === undefined)
    throw new LatchkeyError("GENERAL_ERROR", "the Sessions provider returned no session where one is required");
  options.res.sendJSON(await api.resyncSessionAndFetchMFAInfoPUT({ session, options, userContext }));
  return true;
}
