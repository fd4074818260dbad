import type { RecipeListFunction } from "../../lib/recipeModule";
import type { UserContext } from "../../lib/types";
import { EmailPasswordRecipe } from "./recipe";
import type { EmailPasswordUser, RecipeInterface, TypeInput } from "./types";

export type {
  APIInterface, APIOptions, EmailDeliveryInterface, EmailPasswordUser, FormField, PasswordResetEmailInput, RateLimitInput, RateLimitRuleInput, RecipeInterface, TypeInput,
} from "./types";
export type { SMTPSettings } from "../../lib/email/smtp";
export type { EmailPasswordLoginContext } from "./types";
export type { SessionFeature, SignInUpAction } from "../../lib/sessionFeature";
/** The recipe class and its building blocks, for recipes that compose this one (ThirdPartyEmailPassword). */
export { EmailPasswordRecipe, type EmailPasswordParts } from "./recipe";
export { EMAIL_PASSWORD_KEYS } from "./config";
export { makeRecipeImplementation as makeEmailPasswordRecipeImplementation } from "./recipeImplementation";
export { makeAPIImplementation as makeEmailPasswordAPIImplementation } from "./api/implementation";

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function impl(): RecipeInterface {
  return EmailPasswordRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/** Adds the emailpassword recipe to `Latchkey.init`'s recipe list (it needs the Session recipe too). */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => new EmailPasswordRecipe(context, config);
}

/** Creates a user (no session): OK with the user, or EMAIL_ALREADY_EXISTS_ERROR. */
export function signUp(email: string, password: string, userContext: UserContext = {}): Result<"signUp"> {
  return impl().signUp({ email, password, userContext });
}

/** Checks credentials (no session): OK with the user, or WRONG_CREDENTIALS_ERROR. */
export function signIn(email: string, password: string, userContext: UserContext = {}): Result<"signIn"> {
  return impl().signIn({ email, password, userContext });
}

/** The user with this id, or undefined. */
export function getUserById(userId: string, userContext: UserContext = {}): Promise<EmailPasswordUser | undefined> {
  return impl().getUserById({ userId, userContext });
}

/** The user with this email (normalised), or undefined. */
export function getUserByEmail(email: string, userContext: UserContext = {}): Promise<EmailPasswordUser | undefined> {
  return impl().getUserByEmail({ email, userContext });
}

/** A single-use password reset token for the user (to send your own way). */
export function createResetPasswordToken(userId: string, userContext: UserContext = {}): Result<"createResetPasswordToken"> {
  return impl().createResetPasswordToken({ userId, userContext });
}

/** Consumes a reset token and sets the new password, in one transaction. */
export function resetPasswordUsingToken(token: string, newPassword: string, userContext: UserContext = {}): Result<"resetPasswordUsingToken"> {
  return impl().resetPasswordUsingToken({ token, newPassword, userContext });
}

/** Changes a user's email and/or password. */
export function updateEmailOrPassword(input: { userId: string; email?: string; password?: string; userContext?: UserContext }): Result<"updateEmailOrPassword"> {
  return impl().updateEmailOrPassword({ ...input, userContext: input.userContext ?? {} });
}

const EmailPassword = {
  init,
  signUp,
  signIn,
  getUserById,
  getUserByEmail,
  createResetPasswordToken,
  resetPasswordUsingToken,
  updateEmailOrPassword,
};

export default EmailPassword;
