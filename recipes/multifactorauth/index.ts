import type { RecipeListFunction } from "../../lib/recipeModule";
import { FactorIds, type SessionContainerInterface } from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import { MultiFactorAuthClaim, MultiFactorAuthClaimClass } from "./claim";
import { MultiFactorAuthError } from "./error";
import { MultiFactorAuthRecipe } from "./recipe";
import type { MFARequirementList, RecipeInterface, TypeInput } from "./types";

export { MultiFactorAuthError as Error, FactorIds, MultiFactorAuthClaim, MultiFactorAuthClaimClass };
export type {
  APIInterface,
  APIOptions,
  MFAClaimValue,
  MFAInfoResponse,
  MFARequirementList,
  MFARequirementsInput,
  RecipeInterface,
  SessionMFAInfo,
  TypeInput,
} from "./types";
export type { MultiFactorAuthErrorPayloads, MultiFactorAuthErrorType, MultiFactorAuthErrorUnion } from "./error";

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function recipe(): MultiFactorAuthRecipe {
  return MultiFactorAuthRecipe.getInstanceOrThrow();
}

/** Adds the MultiFactorAuth recipe (the `st-mfa` claim, checked by every verifySession, and `/mfa/info`). */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => new MultiFactorAuthRecipe(context, config);
}

/** Throws INVALID_CLAIMS (a 403) unless the session may set up `factorId` now. */
export function assertAllowedToSetupFactorElseThrowInvalidClaimError(
  session: SessionContainerInterface,
  factorId: string,
  userContext: UserContext = {},
): Promise<void> {
  return recipe().assertAllowedToSetupFactor(session, factorId, userContext);
}

/** What the session must complete now (its requirements, recomputed; the session's claim is updated if it changed). */
export async function getMFARequirementsForAuth(
  session: SessionContainerInterface,
  userContext: UserContext = {},
): Promise<MFARequirementList> {
  return (await recipe().state.refresh({ session, userContext })).mfaRequirementsForAuth;
}

/** Records `factorId` as completed now in the session (the same session, a new access token on the response). */
export function markFactorAsCompleteInSession(
  session: SessionContainerInterface,
  factorId: string,
  userContext: UserContext = {},
): Result<"markFactorAsCompleteInSession"> {
  return recipe().recipeInterfaceImpl.markFactorAsCompleteInSession({ session, factorId, userContext });
}

/** The secondary factors the user has set up (a verified TOTP device, ...). */
export function getFactorsSetupForUser(
  userId: string,
  userContext: UserContext = {},
  tenantId = "public",
): Result<"getFactorsSetupForUser"> {
  return recipe().recipeInterfaceImpl.getFactorsSetupForUser({ userId, tenantId, userContext });
}

/** The secondary factors required of the user (stored in this recipe's table). */
export function getRequiredSecondaryFactorsForUser(
  userId: string,
  userContext: UserContext = {},
): Result<"getRequiredSecondaryFactorsForUser"> {
  return recipe().recipeInterfaceImpl.getRequiredSecondaryFactorsForUser({ userId, userContext });
}

/** Requires `factorId` of the user from their next sign-in (and the next refresh of a session's MFA state) on. */
export function addToRequiredSecondaryFactorsForUser(
  userId: string,
  factorId: string,
  userContext: UserContext = {},
): Result<"addToRequiredSecondaryFactorsForUser"> {
  return recipe().recipeInterfaceImpl.addToRequiredSecondaryFactorsForUser({ userId, factorId, userContext });
}

/** Stops requiring `factorId` of the user. */
export function removeFromRequiredSecondaryFactorsForUser(
  userId: string,
  factorId: string,
  userContext: UserContext = {},
): Result<"removeFromRequiredSecondaryFactorsForUser"> {
  return recipe().recipeInterfaceImpl.removeFromRequiredSecondaryFactorsForUser({ userId, factorId, userContext });
}

const MultiFactorAuth = {
  init,
  FactorIds,
  MultiFactorAuthClaim,
  assertAllowedToSetupFactorElseThrowInvalidClaimError,
  getMFARequirementsForAuth,
  markFactorAsCompleteInSession,
  getFactorsSetupForUser,
  getRequiredSecondaryFactorsForUser,
  addToRequiredSecondaryFactorsForUser,
  removeFromRequiredSecondaryFactorsForUser,
  Error: MultiFactorAuthError,
};

export default MultiFactorAuth;
