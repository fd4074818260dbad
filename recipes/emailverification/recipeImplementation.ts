import { randomSecret, sha256 } from "../../lib/secrets";
import { isTenantId, TENANT_ID_RULE } from "../../lib/tenant";
import { EmailVerificationError } from "./error";
import type { EmailVerificationStore } from "./store";
import type { RecipeInterface, TypeNormalisedInput } from "./types";

/** The original implementation of the emailverification recipe's functions, over its store. */
export function makeRecipeImplementation(
  store: EmailVerificationStore,
  config: TypeNormalisedInput,
  self: () => RecipeInterface,
): RecipeInterface {
  return {
    async createEmailVerificationToken({ userId, email, tenantId, userContext }) {
      // A tenant id no column can hold is the caller's mistake (a 400), not a database error (a 500).
      if (!isTenantId(tenantId)) throw EmailVerificationError.badInput(TENANT_ID_RULE);
      if (await self().isEmailVerified({ userId, email, tenantId, userContext }))
        return { status: "EMAIL_ALREADY_VERIFIED_ERROR" };
      const token = randomSecret();
      const now = Date.now();
      await store.insertToken({
        tokenHash: sha256(token),
        userId,
        email,
        tenantId,
        expiresAt: now + config.tokenValidityMs,
        now,
      });
      return { status: "OK", token };
    },

    async verifyEmailUsingToken({ token, tenantId }) {
      // A tenant id no column can hold is the caller's mistake (a 400), not a database error (a 500).
      if (!isTenantId(tenantId)) throw EmailVerificationError.badInput(TENANT_ID_RULE);
      if (typeof token !== "string" || token === "" || token.length > 200)
        return { status: "EMAIL_VERIFICATION_INVALID_TOKEN_ERROR" };
      const verified = await store.consumeToken({ tokenHash: sha256(token), tenantId, now: Date.now });
      return verified === undefined
        ? { status: "EMAIL_VERIFICATION_INVALID_TOKEN_ERROR" }
        : { status: "OK", user: { id: verified.userId, email: verified.email } };
    },

    // A verified address is the user's in every tenant (as in SuperTokens), so the tenant does not narrow the lookup.
    isEmailVerified: ({ userId, email }) => store.isVerified(userId, email),

    async revokeEmailVerificationTokens({ userId, email }) {
      await store.deleteTokens(userId, email);
      return { status: "OK" };
    },

    async unverifyEmail({ userId, email }) {
      await store.unverify(userId, email);
      return { status: "OK" };
    },
  };
}
