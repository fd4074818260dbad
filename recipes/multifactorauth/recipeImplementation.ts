import type { SessionClaim, SessionClaimValidator } from "../../lib/claims";
import { isStorableText } from "../../lib/db/text";
import type { SessionContainerInterface } from "../../lib/seams";
import type { JSONValue, UserContext } from "../../lib/types";
import type { MultiFactorAuthClaimClass } from "./claim";
import { MultiFactorAuthError } from "./error";
import { isFactorId } from "./factorId";
import { nextUnsatisfiedFactors } from "./requirements";
import type { MultiFactorAuthStore } from "./store";
import type { RecipeInterface, SessionMFAInfo } from "./types";

/** What the implementation needs of its recipe beyond the store. */
export interface ImplementationDeps {
  claim: MultiFactorAuthClaimClass;
  /** The factors each factor recipe of the list reports as set up for the user. */
  factorsSetUpByRecipes(userId: string, tenantId: string, userContext: UserContext): Promise<string[]>;
  /** Recomputes the session's MFA state, with `factorId` completed now when given, and stores it when it changed. */
  refreshSessionMFA(input: {
    session: SessionContainerInterface;
    factorId?: string;
    userContext: UserContext;
  }): Promise<SessionMFAInfo>;
}

function checkedUserId(userId: unknown): string {
  if (typeof userId !== "string" || userId === "" || userId.length > 128 || !isStorableText(userId))
    throw MultiFactorAuthError.badInput("userId must be 1 to 128 characters of text");
  return userId;
}

function checkedFactorId(factorId: unknown): string {
  if (!isFactorId(factorId)) throw MultiFactorAuthError.badInput("factorId must be 1 to 64 characters of text");
  return factorId;
}

/** The original implementation of the MultiFactorAuth recipe's functions. */
export function makeRecipeImplementation(store: MultiFactorAuthStore, deps: ImplementationDeps): RecipeInterface {
  return {
    getMFARequirementsForAuth: async ({ requiredSecondaryFactorsForUser, requiredSecondaryFactorsForTenant }) => {
      // SuperTokens' default: any one of the factors the user or the tenant requires.
      const all = new Set([...(await requiredSecondaryFactorsForUser), ...(await requiredSecondaryFactorsForTenant)]);
      return [{ oneOf: [...all] }];
    },

    getFactorsSetupForUser: ({ userId, tenantId, userContext }) =>
      deps.factorsSetUpByRecipes(userId, tenantId, userContext),

    assertAllowedToSetupFactorElseThrowInvalidClaimError: async (input) => {
      const { claim } = deps;
      const validator: SessionClaimValidator = {
        id: claim.key,
        claim: claim as unknown as SessionClaim<JSONValue>,
        shouldRefetch: (payload) => claim.getValueFromPayload(payload) === undefined,
        validate: async (payload) => {
          const value = claim.getValueFromPayload(payload);
          if (value === undefined) return { isValid: false, reason: "MFA info not available in the session" };
          if (value.v) return { isValid: true };
          const next = nextUnsatisfiedFactors(value.c, await input.mfaRequirementsForAuth);
          const setUp = await input.factorsSetUpForUser;
          // A factor the user already has is outstanding: complete it first (so a stolen password cannot add an
          // attacker's authenticator beside the user's own and sign in with that).
          if (next.factorIds.some((id) => setUp.includes(id)))
            return {
              isValid: false,
              reason: "Completed factors in the session does not satisfy the MFA requirements for auth",
            };
          // Only a factor of the next unmet group: otherwise a cheap factor could be set up to skip a required one.
          if (next.factorIds.length > 0 && !next.factorIds.includes(input.factorId))
            return {
              isValid: false,
              reason: "Not allowed to setup factor that is not in the next set of unsatisfied factors",
            };
          return { isValid: true };
        },
      };
      await input.session.assertClaims([validator], input.userContext);
    },

    markFactorAsCompleteInSession: async ({ session, factorId, userContext }) => {
      await deps.refreshSessionMFA({ session, factorId: checkedFactorId(factorId), userContext });
    },

    getRequiredSecondaryFactorsForUser: async ({ userId }) => store.requiredFactors(checkedUserId(userId)),

    addToRequiredSecondaryFactorsForUser: async ({ userId, factorId }) =>
      store.addRequiredFactor(checkedUserId(userId), checkedFactorId(factorId), Date.now()),

    removeFromRequiredSecondaryFactorsForUser: async ({ userId, factorId }) =>
      store.removeRequiredFactor(checkedUserId(userId), checkedFactorId(factorId)),
  };
}
