import { refreshSessionFromRequest } from "../sessionRequest";
import type { SigningKeyStore } from "../signingKeys";
import type { APIInterface } from "../types";

/** The original implementation of the session recipe's HTTP APIs. */
export function makeAPIImplementation(keys: SigningKeyStore): APIInterface {
  return {
    refreshPOST: ({ options, userContext }) =>
      refreshSessionFromRequest(options.recipeImplementation, options.config, options.req, options.res, userContext),
    signOutPOST: async ({ session, userContext }) => {
      await session?.revokeSession(userContext);
      return { status: "OK" };
    },
    jwksGET: () => keys.getJWKS(),
  };
}
