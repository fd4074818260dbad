// The only file of the usermetadata recipe that builds SQL: one JSON object per user.
import type { Database, DbTransaction } from "../../lib/db/database";
import type { JSONObject } from "../../lib/types";

/** The named queries of the usermetadata recipe. */
export interface UserMetadataStore {
  /** The user's stored metadata, or undefined. */
  read(userId: string): Promise<JSONObject | undefined>;
  /**
   * In one transaction, with the user's row locked (created empty first if missing, so there is a row to lock):
   * reads the metadata, lets `change` compute the next value, and writes it (deletes the row when it is empty).
   * A second writer waits for the lock, so it merges into what the first wrote. `change` may throw: nothing is written.
   */
  update(userId: string, change: (current: JSONObject) => JSONObject, now: number): Promise<JSONObject>;
  /** Deletes the user's metadata. */
  clear(userId: string): Promise<void>;
  /** Deletes the user's metadata inside the caller's transaction (deleteUser). */
  deleteUserData(trx: DbTransaction, userId: string): Promise<void>;
}

type Row = { metadata: string };

const parse = (row: Row | undefined): JSONObject | undefined =>
  row === undefined ? undefined : (JSON.parse(row.metadata) as JSONObject);

/** The usermetadata store over the deployment's database. */
export function makeUserMetadataStore(db: Database): UserMetadataStore {
  const table = db.table("usermetadata");
  return {
    read: (userId) =>
      db.run(async (knex) => parse(await knex(table).where({ user_id: userId }).first<Row>("metadata"))),
    // Run again whole by db.transaction when the database gives it up for a deadlock (two first updates of one user
    // on InnoDB both taking the gap lock) or a serialisation failure.
    update: (userId, change, now) =>
      db.transaction(async (trx) => {
        await trx(table).insert({ user_id: userId, metadata: "{}", updated_at: now }).onConflict("user_id").ignore();
        const row = await db.forUpdate(trx(table).where({ user_id: userId }).select("metadata")).first<Row>();
        const next = change(parse(row) ?? {});
        if (Object.keys(next).length === 0) await trx(table).where({ user_id: userId }).del();
        else
          await trx(table)
            .where({ user_id: userId })
            .update({ metadata: JSON.stringify(next), updated_at: now });
        return next;
      }),
    clear: async (userId) => {
      await db.run((knex) => knex(table).where({ user_id: userId }).del());
    },
    deleteUserData: async (trx, userId) => {
      await trx(table).where({ user_id: userId }).del();
    },
  };
}
