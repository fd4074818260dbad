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

/**
 * Adds the MultiFactorAuth recipe (the `st-mfa` claim, checked by every verifySession, and `/mfa/info`).
 *
 * @example
 * ```ts
 * Latchkey.init({ appInfo, recipeList: [Session.init(), EmailPassword.init(),
 *   TOTP.init({ secretEncryptionKey: process.env.TOTP_KEY! }), MultiFactorAuth.init()] });
 * ```
 */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => new MultiFactorAuthRecipe(context, config);
}

/**
 * Throws INVALID_CLAIMS (a 403) unless the session may set up `factorId` now.
 *
 * @example
 * ```ts
 * // In your own factor's set-up route, before storing anything (a 403 unless the session may add it now):
 * await MultiFactorAuth.assertAllowedToSetupFactorElseThrowInvalidClaimError(session, "webauthn");
 * ```
 */
export function assertAllowedToSetupFactorElseThrowInvalidClaimError(
  session: SessionContainerInterface,
  factorId: string,
  userContext: UserContext = {},
): Promise<void> {
  return recipe().assertAllowedToSetupFactor(session, factorId, userContext);
}

/**
 * What the session must complete now (its requirements, recomputed; the session's claim is updated if it changed).
 *
 * @example
 * ```ts
 * const requirements = await MultiFactorAuth.getMFARequirementsForAuth(session); // e.g. [{ oneOf: ["totp"] }]
 * ```
 */
export async function getMFARequirementsForAuth(
  session: SessionContainerInterface,
  userContext: UserContext = {},
): Promise<MFARequirementList> {
  return (await recipe().state.refresh({ session, userContext })).mfaRequirementsForAuth;
}

/**
 * Records `factorId` as completed now in the session (the same session, a new access token on the response).
 *
 * @example
 * ```ts
 * // After your own check of a second factor (a security key, say) succeeded:
 * await MultiFactorAuth.markFactorAsCompleteInSession(session, "webauthn");
 * ```
 */
export function markFactorAsCompleteInSession(
  session: SessionContainerInterface,
  factorId: string,
  userContext: UserContext = {},
): Result<"markFactorAsCompleteInSession"> {
  return recipe().recipeInterfaceImpl.markFactorAsCompleteInSession({ session, factorId, userContext });
}

/**
 * The secondary factors the user has set up (a verified TOTP device, ...).
 *
 * @example
 * ```ts
 * const factors = await MultiFactorAuth.getFactorsSetupForUser(userId); // e.g. ["totp", "otp-email"]
 * ```
 */
export function getFactorsSetupForUser(
  userId: string,
  userContext: UserContext = {},
  tenantId = "public",
): Result<"getFactorsSetupForUser"> {
  return recipe().recipeInterfaceImpl.getFactorsSetupForUser({ userId, tenantId, userContext });
}

/**
 * The secondary factors required of the user (stored in this recipe's table).
 *
 * @example
 * ```ts
 * const required = await MultiFactorAuth.getRequiredSecondaryFactorsForUser(userId); // e.g. ["totp"]
 * ```
 */
export function getRequiredSecondaryFactorsForUser(
  userId: string,
  userContext: UserContext = {},
): Result<"getRequiredSecondaryFactorsForUser"> {
  return recipe().recipeInterfaceImpl.getRequiredSecondaryFactorsForUser({ userId, userContext });
}

/**
 * Requires `factorId` of the user from their next sign-in (and the next refresh of a session's MFA state) on.
 *
 * @example
 * ```ts
 * await MultiFactorAuth.addToRequiredSecondaryFactorsForUser(userId, FactorIds.TOTP); // from their next sign-in on
 * ```
 */
export function addToRequiredSecondaryFactorsForUser(
  userId: string,
  factorId: string,
  userContext: UserContext = {},
): Result<"addToRequiredSecondaryFactorsForUser"> {
  return recipe().recipeInterfaceImpl.addToRequiredSecondaryFactorsForUser({ userId, factorId, userContext });
}

/**
 * Stops requiring `factorId` of the user.
 *
 * @example
 * ```ts
 * await MultiFactorAuth.removeFromRequiredSecondaryFactorsForUser(userId, FactorIds.TOTP);
 * ```
 */
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
