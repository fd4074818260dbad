import type { RecipeListFunction } from "../../lib/recipeModule";
import { DEFAULT_TENANT_ID } from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import { ThirdPartyError } from "./error";
import { clearProviderCaches } from "./providers/discovery";
import { ThirdPartyRecipe } from "./recipe";
import type { RecipeInterface, ThirdPartyUser, TypeInput, TypeProvider } from "./types";

export type {
  APIInterface,
  APIOptions,
  OAuthTokens,
  ProviderClientConfig,
  ProviderConfig,
  ProviderInput,
  RecipeInterface,
  RedirectURIInfo,
  ThirdPartyLoginContext,
  ThirdPartyUser,
  TypeInput,
  TypeProvider,
  UserInfo,
} from "./types";
export type { AnyThirdPartyError, ThirdPartyErrorPayloads, ThirdPartyErrorType } from "./error";
export type { SessionFeature, SignInUpAction } from "../../lib/sessionFeature";

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function impl(): RecipeInterface {
  return ThirdPartyRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/**
 * Adds the thirdparty recipe to `Latchkey.init`'s recipe list (it needs the Session recipe too).
 *
 * @example
 * ```ts
 * ThirdParty.init({ signInAndUpFeature: { providers: [
 *   { config: { thirdPartyId: "google", clients: [{ clientId: "...", clientSecret: "..." }] } },
 * ] } });
 * ```
 */
export function init(config: TypeInput): RecipeListFunction {
  return (context) => new ThirdPartyRecipe(context, config);
}

/**
 * Creates the user for this provider identity in the tenant, or updates their email (no session).
 *
 * @example
 * ```ts
 * const result = await ThirdParty.manuallyCreateOrUpdateUser("google", googleUserId, "ada@example.com", true);
 * if (result.status === "OK") console.log(result.user.id, result.createdNewUser);
 * ```
 */
export function manuallyCreateOrUpdateUser(
  thirdPartyId: string,
  thirdPartyUserId: string,
  email: string,
  isVerified: boolean,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"signInUp"> {
  return impl().signInUp({ thirdPartyId, thirdPartyUserId, email, isVerified, tenantId, userContext });
}

/**
 * The user with this id (ids are unique across tenants), or undefined.
 *
 * @example
 * ```ts
 * const user = await ThirdParty.getUserById(session.getUserId());
 * console.log(user?.thirdParty.id, user?.email); // e.g. "google", "ada@example.com"
 * ```
 */
export function getUserById(
  userId: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Promise<ThirdPartyUser | undefined> {
  return impl().getUserById({ userId, tenantId, userContext });
}

/**
 * Every third-party user of the tenant with this email (at most one per provider identity).
 *
 * @example
 * ```ts
 * const users = await ThirdParty.getUsersByEmail("ada@example.com");
 * console.log(users.map((u) => u.thirdParty.id)); // e.g. ["google", "github"]
 * ```
 */
export function getUsersByEmail(
  email: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Promise<ThirdPartyUser[]> {
  return impl().getUsersByEmail({ email, tenantId, userContext });
}

/**
 * The user of the tenant a provider knows by this id, or undefined.
 *
 * @example
 * ```ts
 * const user = await ThirdParty.getUserByThirdPartyInfo("github", githubUserId);
 * ```
 */
export function getUserByThirdPartyInfo(
  thirdPartyId: string,
  thirdPartyUserId: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Promise<ThirdPartyUser | undefined> {
  return impl().getUserByThirdPartyInfo({ thirdPartyId, thirdPartyUserId, tenantId, userContext });
}

/**
 * The configured provider (for a client type), to call its functions yourself; undefined if not configured.
 *
 * @example
 * ```ts
 * const provider = await ThirdParty.getProvider("google");
 * const redirect = await provider?.getAuthorisationRedirectURL({
 *   redirectURIOnProviderDashboard: `${websiteDomain}/auth/callback/google`, userContext: {} });
 * ```
 */
export function getProvider(
  thirdPartyId: string,
  clientType?: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Promise<TypeProvider | undefined> {
  return impl().getProvider({ thirdPartyId, clientType, tenantId, userContext });
}

/**
 * Forgets cached discovery documents and signing keys of every provider (they are refetched when next needed).
 *
 * @example
 * ```ts
 * ThirdParty.clearCaches(); // e.g. after the provider rotated its signing keys
 * ```
 */
export function clearCaches(): void {
  clearProviderCaches();
}

/** The thirdparty recipe's errors (a provider failed, a sign-in was refused); `type` narrows `payload`. */
export const Error = ThirdPartyError;
/** An instance of the thirdparty recipe's Error. */
export type Error = ThirdPartyError;

const ThirdParty = {
  init,
  manuallyCreateOrUpdateUser,
  getUserById,
  getUsersByEmail,
  getUserByThirdPartyInfo,
  getProvider,
  clearCaches,
  Error,
};

export default ThirdParty;
