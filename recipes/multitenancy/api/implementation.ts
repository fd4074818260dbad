import { FactorIds } from "../../../lib/seams";
import { usableFirstFactors } from "../../../lib/tenantRouting";
import { MultitenancyError } from "../error";
import type { APIInterface } from "../types";

const PASSWORDLESS_FACTORS: readonly string[] = [
  FactorIds.OTP_EMAIL,
  FactorIds.OTP_PHONE,
  FactorIds.LINK_EMAIL,
  FactorIds.LINK_PHONE,
];

/** The original implementation of the multitenancy API: GET /loginmethods. */
export function makeAPIImplementation(): APIInterface {
  return {
    async loginMethodsGET({ tenantId, clientType, options, userContext }) {
      const tenant = await options.recipeImplementation.getTenant({ tenantId, userContext });
      if (tenant === undefined) throw MultitenancyError.tenantNotFound(tenantId);
      // As SuperTokens: the tenant's list, else MultiFactorAuth's firstFactors, else every factor a recipe offers; a built-in factor no recipe in the
      // list offers cannot work and is left out, a custom one is the app's and stays.
      const firstFactors = usableFirstFactors(
        tenant.firstFactors ?? options.defaultFirstFactors,
        options.allAvailableFirstFactors,
      );
      const providers = firstFactors.includes(FactorIds.THIRDPARTY)
        ? ((await options.providers?.listProviders({ tenantId, clientType, userContext })) ?? [])
        : [];
      return {
        status: "OK",
        emailPassword: { enabled: firstFactors.includes(FactorIds.EMAILPASSWORD) },
        thirdParty: { enabled: firstFactors.includes(FactorIds.THIRDPARTY), providers },
        passwordless: { enabled: firstFactors.some((f) => PASSWORDLESS_FACTORS.includes(f)) },
        firstFactors,
      };
    },
  };
}
