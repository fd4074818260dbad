import type { RecipeListFunction } from "../../lib/recipeModule";
import { DEFAULT_TENANT_ID } from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import { EmailPasswordError } from "./error";
import { EmailPasswordRecipe } from "./recipe";
import type { EmailPasswordUser, RecipeInterface, TypeInput } from "./types";

export type {
  APIInterface,
  APIOptions,
  EmailDeliveryInterface,
  EmailPasswordUser,
  FormField,
  PasswordResetEmailInput,
  RateLimitInput,
  RateLimitRuleInput,
  RecipeInterface,
  TypeInput,
} from "./types";
export type { SMTPSettings } from "../../lib/email/smtp";
export type { EmailPasswordLoginContext } from "./types";
export type { SessionFeature, SignInUpAction } from "../../lib/sessionFeature";
export type { EmailPasswordErrorPayloads, EmailPasswordErrorType, EmailPasswordErrorUnion } from "./error";
export { EmailPasswordError as Error };

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function impl(): RecipeInterface {
  return EmailPasswordRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/**
 * Adds the emailpassword recipe to `Latchkey.init`'s recipe list (it needs the Session recipe too).
 *
 * @example
 * ```ts
 * Latchkey.init({ appInfo, recipeList: [EmailPassword.init({ bcryptCost: 12 }), Session.init()] });
 * ```
 */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => new EmailPasswordRecipe(context, config);
}

/**
 * Creates a user in the tenant (default "public"; no session): OK with the user, or EMAIL_ALREADY_EXISTS_ERROR.
 *
 * @example
 * ```ts
 * const result = await EmailPassword.signUp("ada@example.com", "s3cret-pass");
 * if (result.status === "OK") console.log(result.user.id);
 * ```
 */
export function signUp(
  email: string,
  password: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"signUp"> {
  return impl().signUp({ email, password, tenantId, userContext });
}

/**
 * Checks credentials in the tenant (no session): OK with the user, or WRONG_CREDENTIALS_ERROR.
 *
 * @example
 * ```ts
 * const result = await EmailPassword.signIn("ada@example.com", "s3cret-pass");
 * if (result.status === "WRONG_CREDENTIALS_ERROR") throw new Error("wrong email or password");
 * ```
 */
export function signIn(
  email: string,
  password: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"signIn"> {
  return impl().signIn({ email, password, tenantId, userContext });
}

/**
 * The user with this id (ids are unique across tenants), or undefined.
 *
 * @example
 * ```ts
 * const user = await EmailPassword.getUserById(session.getUserId());
 * console.log(user?.email, user && new Date(user.timeJoined));
 * ```
 */
export function getUserById(userId: string, userContext: UserContext = {}): Promise<EmailPasswordUser | undefined> {
  return impl().getUserById({ userId, tenantId: DEFAULT_TENANT_ID, userContext });
}

/**
 * The user with this email (normalised) in the tenant, or undefined.
 *
 * @example
 * ```ts
 * const user = await EmailPassword.getUserByEmail("ada@example.com");
 * if (user === undefined) console.log("no such user");
 * ```
 */
export function getUserByEmail(
  email: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Promise<EmailPasswordUser | undefined> {
  return impl().getUserByEmail({ email, tenantId, userContext });
}

/**
 * A single-use password reset token for the user (to send your own way), valid in the tenant.
 *
 * @example
 * ```ts
 * const result = await EmailPassword.createResetPasswordToken(userId);
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
 * Consumes a reset token of the tenant and sets the new password, in one transaction.
 *
 * @example
 * ```ts
 * const result = await EmailPassword.resetPasswordUsingToken(token, "new-s3cret-pass");
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
 * Changes a user's email and/or password (the email stays unique within the user's tenant).
 *
 * @example
 * ```ts
 * const result = await EmailPassword.updateEmailOrPassword({ userId, email: "ada@new.example" });
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

const EmailPassword = {
  init,
  signUp,
  signIn,
  getUserById,
  getUserByEmail,
  createResetPasswordToken,
  resetPasswordUsingToken,
  updateEmailOrPassword,
  Error: EmailPasswordError,
};

export default EmailPassword;
