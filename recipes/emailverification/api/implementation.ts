import { sendInBackground } from "../../../lib/email/delivery";
import { EmailVerificationClaim } from "../claim";
import type { APIInterface } from "../types";

/** The original implementation of the emailverification HTTP APIs. */
export function makeAPIImplementation(): APIInterface {
  return {
    generateEmailVerifyTokenPOST: async ({ session, options, tenantId, userContext }) => {
      const userId = session.getUserId();
      const email = await options.emailForUser(userId, userContext);
      if (email === undefined) {
        await session.fetchAndSetClaim(EmailVerificationClaim, userContext);
        return { status: "EMAIL_ALREADY_VERIFIED_ERROR" };
      }
      const created = await options.recipeImplementation.createEmailVerificationToken({
        userId,
        email,
        tenantId,
        userContext,
      });
      if (created.status !== "OK") {
        // The token says unverified but the database says verified: bring the session up to date.
        await session.fetchAndSetClaim(EmailVerificationClaim, userContext);
        return created;
      }
      const { websiteDomain, websiteBasePath } = options.appInfo;
      const emailVerifyLink = `${websiteDomain}${websiteBasePath}/verify-email?token=${encodeURIComponent(created.token)}&tenantId=${encodeURIComponent(tenantId)}&rid=emailverification`;
      sendInBackground(
        () =>
          options.emailDelivery.sendEmail({
            type: "EMAIL_VERIFICATION",
            user: { id: userId, email },
            emailVerifyLink,
            userContext,
          }),
        "verification",
        email,
        [emailVerifyLink, created.token],
      );
      return { status: "OK" };
    },

    verifyEmailPOST: async ({ token, session, options, tenantId, userContext }) => {
      const result = await options.recipeImplementation.verifyEmailUsingToken({ token, tenantId, userContext });
      // The same session passes from this response on, without signing in again.
      if (result.status === "OK" && session !== undefined)
        await session.fetchAndSetClaim(EmailVerificationClaim, userContext);
      return result;
    },

    isEmailVerifiedGET: async ({ session, userContext }) => {
      await session.fetchAndSetClaim(EmailVerificationClaim, userContext);
      return { status: "OK", isVerified: session.getClaimValue(EmailVerificationClaim) === true };
    },
  };
}
