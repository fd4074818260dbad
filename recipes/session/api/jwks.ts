import type { UserContext } from "../../../lib/types";
import type { APIInterface, APIOptions } from "../types";

/** GET {apiBasePath}/jwt/jwks.json: the public keys that verify access tokens, for other services. */
export async function handleJWKS(api: APIInterface, options: APIOptions, userContext: UserContext): Promise<boolean> {
  if (api.jwksGET === undefined) return false;
  const jwks = await api.jwksGET({ options, userContext });
  options.res.setHeader("cache-control", "max-age=60, must-revalidate");
  options.res.sendJSON(jwks);
  return true;
}
