import type { RecipeListFunction } from "../../lib/recipeModule";
import { DEFAULT_TENANT_ID } from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import type { TypeProvider } from "../thirdparty/index";
import { ThirdPartyEmailPasswordErrorClass } from "./error";
import { buildThirdPartyEmailPassword } from "./preset";
import { ThirdPartyEmailPasswordRecipe } from "./recipe";
import type { RecipeInterface, TypeInput, User } from "./types";

export type { APIInterface, LoginContext, RecipeInterface, TypeInput, User } from "./types";
export type { ThirdPartyEmailPasswordError } from "./error";
export type { ProviderInput, ProviderConfig, ProviderClientConfig, TypeProvider } from "../thirdparty/index";
export type { SessionFeature, SignInUpAction } from "../../lib/sessionFeature";

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function impl(): RecipeInterface {
  return ThirdPartyEmailPasswordRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/**
 * Adds email/password and third-party login, with one config and one override, to `Latchkey.init`'s recipe list
 * (with Session).
 *
 * @example
 * ```ts
 * Latchkey.init({ appInfo, recipeList: [Session.init(), ThirdPartyEmailPassword.init({ providers: [
 *   { config: { thirdPartyId: "google", clients: [{ clientId: "...", clientSecret: "..." }] } },
 * ] })] }); // lists EmailPassword and ThirdParty itself: do not list them beside it
 * ```
 */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => buildThirdPartyEmailPassword(context, config);
}

/**
 * Creates an email/password user (no session).
 *
 * @example
 * ```ts
 * const result = await ThirdPartyEmailPassword.emailPasswordSignUp("ada@example.com", "s3cret-pass");
 * if (result.status === "OK") console.log(result.user.id);
 * ```
 */
export function emailPasswordSignUp(
  email: string,
  password: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"emailPasswordSignUp"> {
  return impl().emailPasswordSignUp({ email, password, tenantId, userContext });
}

/**
 * Checks an email/password user's credentials (no session).
 *
 * @example
 * ```ts
 * const result = await ThirdPartyEmailPassword.emailPasswordSignIn("ada@example.com", "s3cret-pass");
 * if (result.status === "WRONG_CREDENTIALS_ERROR") throw new Error("wrong email or password");
 * ```
 */
export function emailPasswordSignIn(
  email: string,
  password: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"emailPasswordSignIn"> {
  return impl().emailPasswordSignIn({ email, password, tenantId, userContext });
}

/**
 * Creates the user for this provider identity in the tenant, or updates their email (no session).
 *
 * @example
 * ```ts
 * const result = await ThirdPartyEmailPassword.thirdPartyManuallyCreateOrUpdateUser(
 *   "google", googleUserId, "ada@example.com", true);
 * if (result.status === "OK") console.log(result.user.id, result.createdNewUser);
 * ```
 */
export function thirdPartyManuallyCreateOrUpdateUser(
  thirdPartyId: string,
  thirdPartyUserId: string,
  email: string,
  isVerified: boolean,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"thirdPartySignInUp"> {
  return impl().thirdPartySignInUp({ thirdPartyId, thirdPartyUserId, email, isVerified, tenantId, userContext });
}

/**
 * The configured provider (for a client type), or undefined.
 *
 * @example
 * ```ts
 * const provider = await ThirdPartyEmailPassword.thirdPartyGetProvider("google");
 * const redirect = await provider?.getAuthorisationRedirectURL({
 *   redirectURIOnProviderDashboard: `${websiteDomain}/auth/callback/google`, userContext: {} });
 * ```
 */
export function thirdPartyGetProvider(
  thirdPartyId: string,
  clientType?: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Promise<TypeProvider | undefined> {
  return impl().thirdPartyGetProvider({ thirdPartyId, clientType, tenantId, userContext });
}

/**
 * The user (of either method) with this id, or undefined.
 *
 * @example
 * ```ts
 * const user = await ThirdPartyEmailPassword.getUserById(session.getUserId());
 * console.log(user?.email, user?.thirdParty?.id ?? "emailpassword");
 * ```
 */
export function getUserById(
  userId: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Promise<User | undefined> {
  return impl().getUserById({ userId, tenantId, userContext });
}

/**
 * Every user (of either method) of the tenant with this email.
 *
 * @example
 * ```ts
 * const users = await ThirdPartyEmailPassword.getUsersByEmail("ada@example.com");
 * console.log(users.map((u) => u.thirdParty?.id ?? "emailpassword")); // e.g. ["emailpassword", "google"]
 * ```
 */
export function getUsersByEmail(
  email: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Promise<User[]> {
  return impl().getUsersByEmail({ email, tenantId, userContext });
}

/**
 * The user of the tenant a provider knows by this id, or undefined.
 *
 * @example
 * ```ts
 * const user = await ThirdPartyEmailPassword.getUserByThirdPartyInfo("github", githubUserId);
 * ```
 */
export function getUserByThirdPartyInfo(
  thirdPartyId: string,
  thirdPartyUserId: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"getUserByThirdPartyInfo"> {
  return impl().getUserByThirdPartyInfo({ thirdPartyId, thirdPartyUserId, tenantId, userContext });
}

/**
 * A single-use password reset token for an email/password user.
 *
 * @example
 * ```ts
 * const result = await ThirdPartyEmailPassword.createResetPasswordToken(userId);
 * if (result.status === "OK") await sendResetLink(`${websiteDomain}/auth/reset-password?token=${result.token}`);
 * ```
 */
export function createResetPasswordToken(
  userId: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"createResetPasswordToken"> {
  return impl().createResetPasswordToken({ userId, tenantId, userContext });
}

/**
 * Consumes a reset token and sets the new password, in one transaction.
 *
 * @example
 * ```ts
 * const result = await ThirdPartyEmailPassword.resetPasswordUsingToken(token, "new-s3cret-pass");
 * if (result.status === "RESET_PASSWORD_INVALID_TOKEN_ERROR") throw new Error("the link has expired");
 * ```
 */
export function resetPasswordUsingToken(
  token: string,
  newPassword: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"resetPasswordUsingToken"> {
  return impl().resetPasswordUsingToken({ token, newPassword, tenantId, userContext });
}

/**
 * Changes an email/password user's email and/or password.
 *
 * @example
 * ```ts
 * const result = await ThirdPartyEmailPassword.updateEmailOrPassword({ userId, email: "ada@new.example" });
 * if (result.status === "EMAIL_ALREADY_EXISTS_ERROR") throw new Error("that email is taken");
 * ```
 */
export function updateEmailOrPassword(input: {
  userId: string;
  email?: string;
  password?: string;
  tenantId?: string;
  userContext?: UserContext;
}): Result<"updateEmailOrPassword"> {
  return impl().updateEmailOrPassword({
    ...input,
    tenantId: input.tenantId ?? DEFAULT_TENANT_ID,
    userContext: input.userContext ?? {},
  });
}

/** The error class of everything the preset raises (its two recipes' errors). */
export const Error = ThirdPartyEmailPasswordErrorClass;

const ThirdPartyEmailPassword = {
  Error: ThirdPartyEmailPasswordErrorClass,
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
