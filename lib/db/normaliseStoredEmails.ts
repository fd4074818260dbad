import type { Knex } from "knex";
import { normaliseEmail } from "../email/address";

/** How a migration rewrites one table's email column. */
export interface StoredEmailsTable {
  /** The table's name with the deployment's prefix. */
  table: string;
  /** Columns that identify a row (its primary key). */
  key: string[];
  /** Columns that with the email form a unique key (e.g. tenant_id); none when emails may repeat. */
  uniqueWith?: string[];
  /** The order rows take their new spelling in (the first of two twins gets it); the key when not given. */
  orderBy?: string[];
  /** What to do with a row whose new spelling another row already has: keep it as it is, or delete it. */
  onTaken: "keep" | "delete";
}

type Row = Record<string, string | number>;

/**
 * Rewrites every stored email in the one spelling of lib/email/address.ts (rows stored before it lower-cased the
 * local part and composed Unicode). A row whose new spelling another row already holds (two accounts "Alice@" and
 * "alice@") is kept or deleted as `onTaken` says; the kept ones are returned for the migration to report.
 */
export async function normaliseStoredEmails(knex: Knex, spec: StoredEmailsTable): Promise<Row[]> {
  const unique = spec.uniqueWith ?? [];
  const rows = (await knex(spec.table)
    .select([...new Set([...spec.key, ...unique, "email"])])
    .orderBy([...(spec.orderBy ?? []), ...spec.key])) as Row[];
  const kept: Row[] = [];
  // One row at a time: the first of "Alice@" and "ALICE@" takes "alice@", and the second then sees it taken.
  for (const row of rows) {
    const email = String(row.email);
    const normalised = normaliseEmail(email);
    if (normalised === email) continue;
    const where = Object.fromEntries(spec.key.map((c) => [c, row[c]]));
    if (spec.uniqueWith !== undefined) {
      const clash = await knex(spec.table)
        .where({ ...Object.fromEntries(unique.map((c) => [c, row[c]])), email: normalised })
        .first(spec.key[0] ?? "email");
      if (clash !== undefined) {
        if (spec.onTaken === "delete") await knex(spec.table).where(where).del();
        else kept.push(row);
        continue;
      }
    }
    await knex(spec.table).where(where).update({ email: normalised });
  }
  return kept;
}
