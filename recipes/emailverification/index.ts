import type { RecipeListFunction } from "../../lib/recipeModule";
import { DEFAULT_TENANT_ID } from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import { EmailVerificationClaim } from "./claim";
import { EmailVerificationError } from "./error";
import { EmailVerificationRecipe } from "./recipe";
import type { RecipeInterface, TypeInput } from "./types";

export { EmailVerificationClaim };
export { EmailVerificationError as Error };
export type {
  APIInterface,
  APIOptions,
  EmailDeliveryInterface,
  EmailVerificationEmailInput,
  RecipeInterface,
  TypeInput,
} from "./types";
export type { EmailVerificationErrorPayloads, EmailVerificationErrorType, EmailVerificationErrorUnion } from "./error";

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function impl(): RecipeInterface {
  return EmailVerificationRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/**
 * Adds the emailverification recipe (and its claim on every session) to `Latchkey.init`'s recipe list.
 *
 * @example
 * ```ts
 * Latchkey.init({ appInfo, recipeList: [
 *   EmailPassword.init(), EmailVerification.init({ mode: "REQUIRED" }), Session.init()] });
 * ```
 */
export function init(config: TypeInput): RecipeListFunction {
  return (context) => new EmailVerificationRecipe(context, config);
}

/**
 * A single-use verification token for the user's email (to send your own way), valid in the tenant (default "public").
 *
 * @example
 * ```ts
 * const result = await EmailVerification.createEmailVerificationToken(userId, "ada@example.com");
 * if (result.status === "OK") await sendLink(`${websiteDomain}/auth/verify-email?token=${result.token}`);
 * ```
 */
export function createEmailVerificationToken(
  userId: string,
  email: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"createEmailVerificationToken"> {
  return impl().createEmailVerificationToken({ userId, email, tenantId, userContext });
}

/**
 * Consumes a verification token of the tenant and marks its email verified.
 *
 * @example
 * ```ts
 * const result = await EmailVerification.verifyEmailUsingToken(token);
 * if (result.status === "OK") console.log(`${result.user.email} verified`);
 * ```
 */
export function verifyEmailUsingToken(
  token: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"verifyEmailUsingToken"> {
  return impl().verifyEmailUsingToken({ token, tenantId, userContext });
}

/**
 * Whether the user has verified this email.
 *
 * @example
 * ```ts
 * if (!(await EmailVerification.isEmailVerified(userId, "ada@example.com"))) res.status(403).end();
 * ```
 */
export function isEmailVerified(
  userId: string,
  email: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Promise<boolean> {
  return impl().isEmailVerified({ userId, email, tenantId, userContext });
}

/**
 * Deletes the user's pending verification tokens for this email.
 *
 * @example
 * ```ts
 * await EmailVerification.revokeEmailVerificationTokens(userId, "ada@example.com"); // sent links stop working
 * ```
 */
export function revokeEmailVerificationTokens(
  userId: string,
  email: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"revokeEmailVerificationTokens"> {
  return impl().revokeEmailVerificationTokens({ userId, email, tenantId, userContext });
}

/**
 * Marks the email unverified again.
 *
 * @example
 * ```ts
 * await EmailVerification.unverifyEmail(userId, "ada@example.com");
 * await session.fetchAndSetClaim(EmailVerificationClaim); // this session sees it at once
 * ```
 */
export function unverifyEmail(
  userId: string,
  email: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"unverifyEmail"> {
  return impl().unverifyEmail({ userId, email, tenantId, userContext });
}

const EmailVerification = {
  init,
  createEmailVerificationToken,
  verifyEmailUsingToken,
  isEmailVerified,
  revokeEmailVerificationTokens,
  unverifyEmail,
  EmailVerificationClaim,
  Error: EmailVerificationError,
};

export default EmailVerification;
