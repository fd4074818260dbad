import crypto from "node:crypto";
import type { Database } from "../../lib/db/database";
import { sameSecret } from "../../lib/secrets";
import type { RecipeInterface, TypeNormalisedInput } from "./types";

const sha256 = (value: string): string => crypto.createHash("sha256").update(value).digest("hex");

/** The original implementation of the emailverification recipe's functions. */
export function makeRecipeImplementation(db: Database, config: TypeNormalisedInput, self: () => RecipeInterface): RecipeInterface {
  const verified = db.table("emailverification_verified");
  const tokens = db.table("emailverification_tokens");

  return {
    async createEmailVerificationToken({ userId, email, userContext }) {
      if (await self().isEmailVerified({ userId, email, userContext })) return { status: "EMAIL_ALREADY_VERIFIED_ERROR" };
      const token = crypto.randomBytes(32).toString("base64url");
      const now = Date.now();
      await db.run(async (knex) => {
        await knex(tokens).insert({ token_hash: sha256(token), user_id: userId, email, expires_at: now + config.tokenValidityMs });
        await knex(tokens).where({ user_id: userId }).andWhere("expires_at", "<=", now).del();
      });
      return { status: "OK", token };
    },

    async verifyEmailUsingToken({ token }) {
      if (typeof token !== "string" || token === "" || token.length > 200) return { status: "EMAIL_VERIFICATION_INVALID_TOKEN_ERROR" };
      const tokenHash = sha256(token);
      type TokenRow = { token_hash: string; user_id: string; email: string; expires_at: number | string };
      const user = await db.transaction(async (trx) => {
        const found = await trx(tokens).where({ token_hash: tokenHash }).first<TokenRow | undefined>();
        if (found === undefined) return undefined;
        // Lock every token of the address at once, in one order: two of its tokens used together then queue here
        // (the second finds its token gone) instead of each holding one row and waiting for the other's: a deadlock.
        const all = await db.forUpdate(trx(tokens).where({ user_id: found.user_id, email: found.email }).orderBy("token_hash")).select<TokenRow[]>();
        const row = all.find((t) => sameSecret(t.token_hash, tokenHash));
        if (row === undefined) return undefined;
        // Single use: every token for this address goes, in the same transaction that records the verification.
        await trx(tokens).where({ user_id: row.user_id, email: row.email }).del();
        if (Number(row.expires_at) <= Date.now()) return undefined;
        // Already verified by another token: keep the first verification (a failed insert would abort PostgreSQL's transaction).
        await trx(verified).insert({ user_id: row.user_id, email: row.email, verified_at: Date.now() }).onConflict(["user_id", "email"]).ignore();
        return { id: row.user_id, email: row.email };
      });
      return user === undefined ? { status: "EMAIL_VERIFICATION_INVALID_TOKEN_ERROR" } : { status: "OK", user };
    },

    async isEmailVerified({ userId, email }) {
      return (await db.run((knex) => knex(verified).where({ user_id: userId, email }).first("user_id"))) !== undefined;
    },

    async revokeEmailVerificationTokens({ userId, email }) {
      await db.run((knex) => knex(tokens).where({ user_id: userId, email }).del());
      return { status: "OK" };
    },

    async unverifyEmail({ userId, email }) {
      await db.run((knex) => knex(verified).where({ user_id: userId, email }).del());
      return { status: "OK" };
    },
  };
}
