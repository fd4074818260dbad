import type { RecipeListFunction } from "../../lib/recipeModule";
import type { UserContext } from "../../lib/types";
import { EmailVerificationClaim } from "./claim";
import { EmailVerificationRecipe } from "./recipe";
import type { RecipeInterface, TypeInput } from "./types";

export { EmailVerificationClaim };
export type { APIInterface, APIOptions, EmailDeliveryInterface, EmailVerificationEmailInput, RecipeInterface, TypeInput } from "./types";

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function impl(): RecipeInterface {
  return EmailVerificationRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/** Adds the emailverification recipe (and its claim on every session) to `Latchkey.init`'s recipe list. */
export function init(config: TypeInput): RecipeListFunction {
  return (context) => new EmailVerificationRecipe(context, config);
}

/** A single-use verification token for the user's email (to send your own way). */
export function createEmailVerificationToken(userId: string, email: string, userContext: UserContext = {}): Result<"createEmailVerificationToken"> {
  return impl().createEmailVerificationToken({ userId, email, userContext });
}

/** Consumes a verification token and marks its email verified. */
export function verifyEmailUsingToken(token: string, userContext: UserContext = {}): Result<"verifyEmailUsingToken"> {
  return impl().verifyEmailUsingToken({ token, userContext });
}

/** Whether the user has verified this email. */
export function isEmailVerified(userId: string, email: string, userContext: UserContext = {}): Promise<boolean> {
  return impl().isEmailVerified({ userId, email, userContext });
}

/** Deletes the user's pending verification tokens for this email. */
export function revokeEmailVerificationTokens(userId: string, email: string, userContext: UserContext = {}): Result<"revokeEmailVerificationTokens"> {
  return impl().revokeEmailVerificationTokens({ userId, email, userContext });
}

/** Marks the email unverified again. */
export function unverifyEmail(userId: string, email: string, userContext: UserContext = {}): Result<"unverifyEmail"> {
  return impl().unverifyEmail({ userId, email, userContext });
}

const EmailVerification = {
  init,
  createEmailVerificationToken,
  verifyEmailUsingToken,
  isEmailVerified,
  revokeEmailVerificationTokens,
  unverifyEmail,
  EmailVerificationClaim,
};

export default EmailVerification;
