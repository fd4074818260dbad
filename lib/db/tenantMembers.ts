// The queries every login recipe runs over its "user_tenants" table: which tenants each of its users belongs to,
// with copies of the columns a sign-in looks a user up by, unique within a tenant (as SuperTokens' user_to_tenant
// tables): the unique indexes, not a check before the write, decide who holds an email in a tenant.
import type { Knex } from "knex";
import { isUniqueViolation } from "./columns";
import type { Database, DbTransaction } from "./database";

/** A membership row: the tenant, the user, and the user's lookup columns (null where the user has none). */
export type MemberRow = { tenant_id: string; user_id: string } & Record<string, string | null>;

/** What adding a member did: CLASH names the unique key (its index in `uniqueKeys`) another member holds. */
export type AddMemberOutcome = { status: "OK" } | { status: "ALREADY_MEMBER" } | { status: "CLASH"; key: number };

/** The named queries over one recipe's membership table. */
export interface TenantMemberQueries {
  /** The tenants the user belongs to, by id. */
  tenantsOf(userId: string): Promise<string[]>;
  /** The tenants of each of these users (a page of a listing), in one query. */
  tenantsOfUsers(userIds: readonly string[]): Promise<Map<string, string[]>>;
  /** True when the user belongs to the tenant. */
  isMember(tenantId: string, userId: string): Promise<boolean>;
  /** Adds the row (built inside the transaction from the user's current row; undefined: no such user). */
  add(
    tenantId: string,
    userId: string,
    rowOf: (trx: Knex.Transaction) => Promise<MemberRow | undefined>,
  ): Promise<AddMemberOutcome | undefined>;
  /** Removes the user from the tenant; true when they were in it. */
  remove(tenantId: string, userId: string): Promise<boolean>;
  /** Removes the memberships of a deleted tenant, except those of users who signed up in it (`users`.tenant_id). */
  removeTenant(tenantId: string, usersTable: string): Promise<void>;
  /** Deletes the user's memberships inside the caller's transaction. */
  deleteUser(trx: DbTransaction, userId: string): Promise<void>;
}

/** The membership queries over `table` (a prefixed name); `uniqueKeys` are its unique column sets besides the key. */
export function tenantMemberQueries(db: Database, table: string, uniqueKeys: string[][]): TenantMemberQueries {
  return {
    tenantsOf: (userId) =>
      db.run(async (knex) =>
        (
          await knex(table).where({ user_id: userId }).orderBy("tenant_id").select<{ tenant_id: string }[]>("tenant_id")
        ).map((r) => r.tenant_id),
      ),
    tenantsOfUsers: (userIds) =>
      db.readLagTolerant(async (knex) => {
        const byUser = new Map<string, string[]>(userIds.map((id) => [id, []]));
        if (userIds.length === 0) return byUser;
        const rows = await knex(table)
          .whereIn("user_id", [...userIds])
          .orderBy("tenant_id")
          .select<{ tenant_id: string; user_id: string }[]>("tenant_id", "user_id");
        for (const row of rows) byUser.get(row.user_id)?.push(row.tenant_id);
        return byUser;
      }),
    isMember: (tenantId, userId) =>
      db.run(
        async (knex) =>
          (await knex(table).where({ tenant_id: tenantId, user_id: userId }).first("user_id")) !== undefined,
      ),
    add: (tenantId, userId, rowOf) =>
      db.run(async (knex) => {
        try {
          return await knex.transaction(async (trx) => {
            const row = await rowOf(trx);
            if (row === undefined) return undefined;
            await trx(table).insert({ ...row, tenant_id: tenantId, user_id: userId });
            return { status: "OK" as const };
          });
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          // Refused by an index: the user was in the tenant already, or another member holds one of its values.
          if ((await knex(table).where({ tenant_id: tenantId, user_id: userId }).first("user_id")) !== undefined)
            return { status: "ALREADY_MEMBER" as const };
          const row = await knex.transaction((trx) => rowOf(trx));
          if (row === undefined) return undefined;
          for (const [key, columns] of uniqueKeys.entries()) {
            const values = Object.fromEntries(columns.map((c) => [c, row[c] ?? null]));
            if (Object.values(values).some((v) => v === null)) continue;
            const holder = await knex(table)
              .where({ tenant_id: tenantId, ...values })
              .first("user_id");
            if (holder !== undefined) return { status: "CLASH" as const, key };
          }
          // The holder was removed meanwhile: the caller may try again; answered as the first key's clash.
          return { status: "CLASH" as const, key: 0 };
        }
      }),
    remove: (tenantId, userId) =>
      db.run(async (knex) => (await knex(table).where({ tenant_id: tenantId, user_id: userId }).del()) > 0),
    removeTenant: (tenantId, usersTable) =>
      db.run(async (knex) => {
        await knex(table)
          .where({ tenant_id: tenantId })
          .whereIn("user_id", knex(usersTable).whereNot({ tenant_id: tenantId }).select("user_id"))
          .del();
      }),
    deleteUser: async (trx, userId) => {
      await trx(table).where({ user_id: userId }).del();
    },
  };
}

/** Copies every user's own tenant into a new membership table (a migration's backfill). */
export async function backfillMembers(
  knex: Knex,
  members: string,
  users: string,
  columns: readonly string[],
): Promise<void> {
  const all = ["tenant_id", "user_id", ...columns];
  const list = all.map(() => "??").join(", ");
  await knex.raw(`insert into ?? (${list}) select ${list} from ??`, [members, ...all, ...all, users]);
}

/** A page of login methods with each one's tenants as its recipe's membership table lists them. */
export async function withMemberTenants<R extends { recipeUserId: string; tenantIds: string[] }>(
  records: R[],
  tenantsOfUsers: (userIds: readonly string[]) => Promise<Map<string, string[]>>,
): Promise<R[]> {
  const tenants = await tenantsOfUsers(records.map((r) => r.recipeUserId));
  return records.map((r) => ({ ...r, tenantIds: tenants.get(r.recipeUserId) ?? r.tenantIds }));
}
