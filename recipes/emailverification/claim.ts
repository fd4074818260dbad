import { BooleanClaim, isTrueRefetchingFalse, type SessionClaimValidator } from "../../lib/claims";
import { Latchkey } from "../../lib/latchkey";
import { EmailVerifiers } from "../../lib/seams";
import { emailForUser } from "./userEmail";

/**
 * Whether the session's user has verified their email, kept in the access token under "st-ev" (the key the
 * SuperTokens frontend SDKs read). A user without an email address counts as verified.
 */
export class EmailVerificationClaimClass extends BooleanClaim {
  constructor() {
    // Through the capabilities of the running Latchkey: the claim is one object shared by every init (tests re-init),
    // so it asks whoever provides email verification now rather than holding a recipe.
    super("st-ev", async (userId, userContext, tenantId) => {
      const { capabilities } = Latchkey.getInstanceOrThrow();
      const email = await emailForUser(capabilities, userId, userContext);
      if (email === undefined) return true;
      return capabilities.required(EmailVerifiers).isEmailVerified({ userId, email, tenantId, userContext });
    });
    // The base class builds `validators`; today's SuperTokens apps call isVerified() there, the seeds' on emailValidators.
    Object.assign(this.validators, { isVerified: this.emailValidators.isVerified });
  }

  readonly emailValidators = {
    /** Valid when verified; a false value is fetched again after `refetchTimeOnFalseInSeconds` (default 10). */
    isVerified: (refetchTimeOnFalseInSeconds = 10, maxAgeInSeconds?: number): SessionClaimValidator =>
      isTrueRefetchingFalse(this, refetchTimeOnFalseInSeconds, maxAgeInSeconds),
  };

  /** The boolean claim's validators, plus SuperTokens' name `EmailVerificationClaim.validators.isVerified()`. */
  declare readonly validators: BooleanClaim["validators"] & {
    isVerified: EmailVerificationClaimClass["emailValidators"]["isVerified"];
  };
}

/** The email verification claim every session gets when the EmailVerification recipe is in the recipe list. */
export const EmailVerificationClaim = new EmailVerificationClaimClass();
