import type { RecipeListFunction } from "../../lib/recipeModule";
import type { UserContext } from "../../lib/types";
import type { TypeProvider } from "../thirdparty/index";
import { ThirdPartyEmailPasswordRecipe } from "./recipe";
import type { RecipeInterface, TypeInput, User } from "./types";

export type { APIInterface, LoginContext, RecipeInterface, TypeInput, User } from "./types";
export type { ProviderInput, ProviderConfig, ProviderClientConfig, TypeProvider } from "../thirdparty/index";
export type { SessionFeature, SignInUpAction } from "../../lib/sessionFeature";

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function impl(): RecipeInterface {
  return ThirdPartyEmailPasswordRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/** Adds email/password and third-party login, as one recipe, to `Latchkey.init`'s recipe list (with Session). */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => new ThirdPartyEmailPasswordRecipe(context, config);
}

/** Creates an email/password user (no session). */
export function emailPasswordSignUp(email: string, password: string, userContext: UserContext = {}): Result<"emailPasswordSignUp"> {
  return impl().emailPasswordSignUp({ email, password, userContext });
}

/** Checks an email/password user's credentials (no session). */
export function emailPasswordSignIn(email: string, password: string, userContext: UserContext = {}): Result<"emailPasswordSignIn"> {
  return impl().emailPasswordSignIn({ email, password, userContext });
}

/** Creates the user for this provider identity, or updates their email (no session). */
export function thirdPartyManuallyCreateOrUpdateUser(
  thirdPartyId: string,
  thirdPartyUserId: string,
  email: string,
  isVerified: boolean,
  userContext: UserContext = {},
): Result<"thirdPartySignInUp"> {
  return impl().thirdPartySignInUp({ thirdPartyId, thirdPartyUserId, email, isVerified, userContext });
}

/** The configured provider (for a client type), or undefined. */
export function thirdPartyGetProvider(thirdPartyId: string, clientType?: string, userContext: UserContext = {}): Promise<TypeProvider | undefined> {
  return impl().thirdPartyGetProvider({ thirdPartyId, clientType, userContext });
}

/** The user (of either method) with this id, or undefined. */
export function getUserById(userId: string, userContext: UserContext = {}): Promise<User | undefined> {
  return impl().getUserById({ userId, userContext });
}

/** Every user (of either method) with this email. */
export function getUsersByEmail(email: string, userContext: UserContext = {}): Promise<User[]> {
  return impl().getUsersByEmail({ email, userContext });
}

/** The user a provider knows by this id, or undefined. */
export function getUserByThirdPartyInfo(thirdPartyId: string, thirdPartyUserId: string, userContext: UserContext = {}): Result<"getUserByThirdPartyInfo"> {
  return impl().getUserByThirdPartyInfo({ thirdPartyId, thirdPartyUserId, userContext });
}

/** A single-use password reset token for an email/password user. */
export function createResetPasswordToken(userId: string, userContext: UserContext = {}): Result<"createResetPasswordToken"> {
  return impl().createResetPasswordToken({ userId, userContext });
}

/** Consumes a reset token and sets the new password, in one transaction. */
export function resetPasswordUsingToken(token: string, newPassword: string, userContext: UserContext = {}): Result<"resetPasswordUsingToken"> {
  return impl().resetPasswordUsingToken({ token, newPassword, userContext });
}

/** Changes an email/password user's email and/or password. */
export function updateEmailOrPassword(input: { userId: string; email?: string; password?: string; userContext?: UserContext }): Result<"updateEmailOrPassword"> {
  return impl().updateEmailOrPassword({ ...input, userContext: input.userContext ?? {} });
}

const ThirdPartyEmailPassword = {
  init,
  emailPasswordSignUp,
  emailPasswordSignIn,
  thirdPartyManuallyCreateOrUpdateUser,
  thirdPartyGetProvider,
  getUserById,
  getUsersByEmail,
  getUserByThirdPartyInfo,
  createResetPasswordToken,
  resetPasswordUsingToken,
  updateEmailOrPassword,
};

export default ThirdPartyEmailPassword;
