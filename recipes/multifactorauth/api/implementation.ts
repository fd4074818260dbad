import { LatchkeyError } from "../../../lib/error";
import { FactorIds } from "../../../lib/seams";
import { nextUnsatisfiedFactors } from "../requirements";
import type { APIInterface } from "../types";

const EMAIL_FACTORS: readonly string[] = [FactorIds.OTP_EMAIL, FactorIds.LINK_EMAIL];
const PHONE_FACTORS: readonly string[] = [FactorIds.OTP_PHONE, FactorIds.LINK_PHONE];

function isInvalidClaims(err: unknown): boolean {
  return LatchkeyError.isErrorFromAuth(err) && (err as LatchkeyError).type === "INVALID_CLAIMS";
}

/** The original implementation of the MultiFactorAuth HTTP API. */
export function makeAPIImplementation(): APIInterface {
  return {
    resyncSessionAndFetchMFAInfoPUT: async ({ session, options, userContext }) => {
      const impl = options.recipeImplementation;
      const userId = session.getUserId();
      const tenantId = session.getTenantId();
      const info = await options.refreshSessionMFA(session, userContext);
      const alreadySetup = await impl.getFactorsSetupForUser({ userId, tenantId, userContext });
      const allowedToSetup: string[] = [];
      for (const factorId of options.availableSecondaryFactors()) {
        try {
          await impl.assertAllowedToSetupFactorElseThrowInvalidClaimError({
            session,
            factorId,
            mfaRequirementsForAuth: Promise.resolve(info.mfaRequirementsForAuth),
            factorsSetUpForUser: Promise.resolve(alreadySetup),
            userContext,
          });
          allowedToSetup.push(factorId);
        } catch (err) {
          if (!isInvalidClaims(err)) throw err;
        }
      }
      const unsatisfied = nextUnsatisfiedFactors(info.completedFactors, info.mfaRequirementsForAuth).factorIds;
      // The frontend's factor chooser shows `next`: factors the user can set up now or already has.
      const next = unsatisfied.filter((id) => allowedToSetup.includes(id) || alreadySetup.includes(id));
      if (next.length === 0 && unsatisfied.length > 0)
        throw new LatchkeyError(
          "GENERAL_ERROR",
          `The session must complete factors no recipe of the list can set up or complete (${unsatisfied.join(", ")}): check the MFA configuration`,
        );
      const user = await options.getUser(userId, userContext);
      const offered = new Set([...options.availableSecondaryFactors(), ...alreadySetup]);
      const emails: Record<string, string[]> = {};
      const phoneNumbers: Record<string, string[]> = {};
      for (const factorId of offered) {
        if (EMAIL_FACTORS.includes(factorId)) emails[factorId] = user?.emails ?? [];
        if (PHONE_FACTORS.includes(factorId)) phoneNumbers[factorId] = user?.phoneNumbers ?? [];
      }
      return { status: "OK", factors: { next, alreadySetup, allowedToSetup }, emails, phoneNumbers };
    },
  };
}
