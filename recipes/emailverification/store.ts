// The only file of the emailverification recipe that builds SQL: named queries over its tokens and verified emails.
import type { Database, DbTransaction } from "../../lib/db/database";
import { sameSecret } from "../../lib/secrets";

/** The named queries of the emailverification recipe. */
export interface EmailVerificationStore {
  /** Stores a token's hash and deletes the user's expired tokens. */
  insertToken(input: {
    tokenHash: string;
    userId: string;
    email: string;
    tenantId: string;
    expiresAt: number;
    now: number;
  }): Promise<void>;
  /**
   * In one transaction: finds the token in the tenant, locks every token of its address (in one order), deletes them
   * all, and if the token had not expired records the address verified. The address when it was, else undefined.
   */
  consumeToken(input: {
    tokenHash: string;
    tenantId: string;
    now: () => number;
  }): Promise<{ userId: string; email: string } | undefined>;
  /** Records the address verified (idempotent) and deletes its pending tokens, in one transaction. */
  markVerified(input: { userId: string; email: string; tenantId: string; now: number }): Promise<void>;
  /** True when the user has verified this address (in any tenant). */
  isVerified(userId: string, email: string): Promise<boolean>;
  /** Deletes the address's pending tokens. */
  deleteTokens(userId: string, email: string): Promise<void>;
  /** Marks the address unverified again. */
  unverify(userId: string, email: string): Promise<void>;
  /** Deletes the user's tokens and verifications inside the caller's transaction. */
  deleteUserData(trx: DbTransaction, userId: string): Promise<void>;
}

type TokenRow = { token_hash: string; user_id: string; email: string; expires_at: number | string };

/** The emailverification store over the deployment's database. */
export function makeEmailVerificationStore(db: Database): EmailVerificationStore {
  const verified = db.table("emailverification_verified");
  const tokens = db.table("emailverification_tokens");

  // Lock every token of the address at once, in one order: two of its tokens used together then queue here (the
  // second finds its token gone) instead of each holding one row and waiting for the other's: a deadlock.
  const lockAddressTokens = (trx: DbTransaction, userId: string, email: string): Promise<TokenRow[]> =>
    db.forUpdate(trx(tokens).where({ user_id: userId, email }).orderBy("token_hash")).select<TokenRow[]>();

  // Already verified by another token: keep the first verification (a failed insert would abort PostgreSQL's transaction).
  const recordVerified = (trx: DbTransaction, userId: string, email: string, tenantId: string, now: number) =>
    trx(verified)
      .insert({ user_id: userId, email, tenant_id: tenantId, verified_at: now })
      .onConflict(["user_id", "email"])
      .ignore();

  return {
    async insertToken({ tokenHash, userId, email, tenantId, expiresAt, now }) {
      // One transaction: a write conflict (a cluster's, at commit) reruns both statements, where two separate ones
      // would insert the token again after the clean-up failed, and fail on its own primary key.
      await db.transaction(async (trx) => {
        await trx(tokens).insert({
          token_hash: tokenHash,
          user_id: userId,
          email,
          tenant_id: tenantId,
          expires_at: expiresAt,
        });
        await trx(tokens).where({ user_id: userId }).andWhere("expires_at", "<=", now).del();
      });
    },

    consumeToken: ({ tokenHash, tenantId, now }) =>
      db.transaction(async (trx) => {
        const found = await trx(tokens)
          .where({ token_hash: tokenHash, tenant_id: tenantId })
          .first<TokenRow | undefined>();
        if (found === undefined) return undefined;
        const all = await lockAddressTokens(trx, found.user_id, found.email);
        const row = all.find((t) => sameSecret(t.token_hash, tokenHash));
        if (row === undefined) return undefined;
        // Single use: every token for this address goes, in the same transaction that records the verification.
        await trx(tokens).where({ user_id: row.user_id, email: row.email }).del();
        if (Number(row.expires_at) <= now()) return undefined;
        await recordVerified(trx, row.user_id, row.email, tenantId, now());
        return { userId: row.user_id, email: row.email };
      }),

    async markVerified({ userId, email, tenantId, now }) {
      await db.transaction(async (trx) => {
        // The same locks in the same order as consumeToken, so the two never deadlock over one address.
        const pending = await lockAddressTokens(trx, userId, email);
        if (pending.length > 0) await trx(tokens).where({ user_id: userId, email }).del();
        await recordVerified(trx, userId, email, tenantId, now);
      });
    },

    async isVerified(userId, email) {
      return (await db.run((knex) => knex(verified).where({ user_id: userId, email }).first("user_id"))) !== undefined;
    },

    async deleteTokens(userId, email) {
      await db.run((knex) => knex(tokens).where({ user_id: userId, email }).del());
    },

    async unverify(userId, email) {
      await db.run((knex) => knex(verified).where({ user_id: userId, email }).del());
    },

    async deleteUserData(trx, userId) {
      await trx(tokens).where({ user_id: userId }).del();
      await trx(verified).where({ user_id: userId }).del();
    },
  };
}
