// The only file of the MultiFactorAuth recipe that builds SQL: the secondary factors required of each user.
import type { Database, DbTransaction } from "../../lib/db/database";

/** The named queries of the MultiFactorAuth recipe. */
export interface MultiFactorAuthStore {
  /** The factors required of the user, in the order they were added. */
  requiredFactors(userId: string): Promise<string[]>;
  /** Requires a factor of the user; a second add of the same factor changes nothing. */
  addRequiredFactor(userId: string, factorId: string, now: number): Promise<void>;
  /** Stops requiring a factor of the user. */
  removeRequiredFactor(userId: string, factorId: string): Promise<void>;
  /** Deletes the user's rows inside the caller's transaction (deleteUser). */
  deleteUserData(trx: DbTransaction, userId: string): Promise<void>;
}

/** The MultiFactorAuth store over the deployment's database. */
export function makeMultiFactorAuthStore(db: Database): MultiFactorAuthStore {
  const table = db.table("mfa_required_factors");
  return {
    requiredFactors: (userId) =>
      db.run(async (knex) => {
        const rows = await knex(table)
          .where({ user_id: userId })
          .orderBy([{ column: "created_at" }, { column: "factor_id" }])
          .select<{ factor_id: string }[]>("factor_id");
        return rows.map((r) => r.factor_id);
      }),
    addRequiredFactor: async (userId, factorId, now) => {
      await db.run((knex) =>
        knex(table)
          .insert({ user_id: userId, factor_id: factorId, created_at: now })
          .onConflict(["user_id", "factor_id"])
          .ignore(),
      );
    },
    removeRequiredFactor: async (userId, factorId) => {
      await db.run((knex) => knex(table).where({ user_id: userId, factor_id: factorId }).del());
    },
    deleteUserData: async (trx, userId) => {
      await trx(table).where({ user_id: userId }).del();
    },
  };
}
