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

/** Adds the emailverification recipe (and its claim on every session) to `Latchkey.init`'s recipe list. */
export function init(config: TypeInput): RecipeListFunction {
  return (context) => new EmailVerificationRecipe(context, config);
}

/** A single-use verification token for the user's email (to send your own way), valid in the tenant (default "public"). */
export function createEmailVerificationToken(
  userId: string,
  email: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"createEmailVerificationToken"> {
  return impl().createEmailVerificationToken({ userId, email, tenantId, userContext });
}

/** Consumes a verification token of the tenant and marks its email verified. */
export function verifyEmailUsingToken(
  token: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"verifyEmailUsingToken"> {
  return impl().verifyEmailUsingToken({ token, tenantId, userContext });
}

/** Whether the user has verified this email. */
export function isEmailVerified(
  userId: string,
  email: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Promise<boolean> {
  return impl().isEmailVerified({ userId, email, tenantId, userContext });
}

/** Deletes the user's pending verification tokens for this email. */
export function revokeEmailVerificationTokens(
  userId: string,
  email: string,
  userContext: UserContext = {},
  tenantId: string = DEFAULT_TENANT_ID,
): Result<"revokeEmailVerificationTokens"> {
  return impl().revokeEmailVerificationTokens({ userId, email, tenantId, userContext });
}

/** Marks the email unverified again. */
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
