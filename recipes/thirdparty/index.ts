import type { RecipeListFunction } from "../../lib/recipeModule";
import type { UserContext } from "../../lib/types";
import { clearProviderCaches } from "./providers/discovery";
import { ThirdPartyRecipe } from "./recipe";
import type { RecipeInterface, ThirdPartyUser, TypeInput, TypeProvider } from "./types";

export type {
  APIInterface, APIOptions, OAuthTokens, ProviderClientConfig, ProviderConfig, ProviderInput, RecipeInterface, RedirectURIInfo,
  ThirdPartyLoginContext, ThirdPartyUser, TypeInput, TypeProvider, UserInfo,
} from "./types";
export type { SessionFeature, SignInUpAction } from "../../lib/sessionFeature";
/** The recipe class and its routes, for recipes that compose this one (ThirdPartyEmailPassword). */
export { ThirdPartyRecipe, THIRD_PARTY_ROUTES, type ThirdPartyParts } from "./recipe";
export { makeRecipeImplementation as makeThirdPartyRecipeImplementation } from "./recipeImplementation";
export { makeAPIImplementation as makeThirdPartyAPIImplementation } from "./api/implementation";
export { providerErrorAnswer } from "./providers/errors";

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function impl(): RecipeInterface {
  return ThirdPartyRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/** Adds the thirdparty recipe to `Latchkey.init`'s recipe list (it needs the Session recipe too). */
export function init(config: TypeInput): RecipeListFunction {
  return (context) => new ThirdPartyRecipe(context, config);
}

/** Creates the user for this provider identity, or updates their email (no session). */
export function manuallyCreateOrUpdateUser(
  thirdPartyId: string,
  thirdPartyUserId: string,
  email: string,
  isVerified: boolean,
  userContext: UserContext = {},
): Result<"signInUp"> {
  return impl().signInUp({ thirdPartyId, thirdPartyUserId, email, isVerified, userContext });
}

/** The user with this id, or undefined. */
export function getUserById(userId: string, userContext: UserContext = {}): Promise<ThirdPartyUser | undefined> {
  return impl().getUserById({ userId, userContext });
}

/** Every third-party user with this email (one per provider at most... per provider identity). */
export function getUsersByEmail(email: string, userContext: UserContext = {}): Promise<ThirdPartyUser[]> {
  return impl().getUsersByEmail({ email, userContext });
}

/** The user a provider knows by this id, or undefined. */
export function getUserByThirdPartyInfo(thirdPartyId: string, thirdPartyUserId: string, userContext: UserContext = {}): Promise<ThirdPartyUser | undefined> {
  return impl().getUserByThirdPartyInfo({ thirdPartyId, thirdPartyUserId, userContext });
}

/** The configured provider (for a client type), to call its functions yourself; undefined if not configured. */
export function getProvider(thirdPartyId: string, clientType?: string, userContext: UserContext = {}): Promise<TypeProvider | undefined> {
  return impl().getProvider({ thirdPartyId, clientType, userContext });
}

/** Forgets cached discovery documents and signing keys of every provider (they are refetched when next needed). */
export function clearCaches(): void {
  clearProviderCaches();
}

const ThirdParty = { init, manuallyCreateOrUpdateUser, getUserById, getUsersByEmail, getUserByThirdPartyInfo, getProvider, clearCaches };

export default ThirdParty;
