// The only file of the userroles recipe that builds SQL: named queries over roles, permissions and assignments.
import type { Knex } from "knex";
import { isUniqueViolation } from "../../lib/db/columns";
import type { Database, DbTransaction } from "../../lib/db/database";

/** The named queries of the userroles recipe. */
export interface UserRolesStore {
  /** Creates the role if new and adds the permissions it lacks, in one transaction; true when the role was new. */
  createRoleOrAddPermissions(role: string, permissions: readonly string[]): Promise<boolean>;
  /** True when the role exists. */
  roleExists(role: string): Promise<boolean>;
  /** Every role, sorted. */
  allRoles(): Promise<string[]>;
  /** The role's permissions, sorted; undefined when the role does not exist. */
  permissionsOfRole(role: string): Promise<string[] | undefined>;
  /**
   * The permissions of any of the roles, deduplicated and sorted: one query (one per 500 roles); roles that do not
   * exist grant nothing.
   */
  permissionsOfRoles(roles: readonly string[]): Promise<string[]>;
  /** Removes permissions from the role; false when the role does not exist. */
  removePermissions(role: string, permissions: readonly string[]): Promise<boolean>;
  /** Roles that grant the permission, sorted. */
  rolesWithPermission(permission: string): Promise<string[]>;
  /** Deletes the role, its permissions and every assignment of it, in one transaction; true when it existed. */
  deleteRole(role: string): Promise<boolean>;
  /**
   * Assigns the role to the user in the tenant: "assigned", "already" (the row was there) or "unknown-role". The role's
   * row is locked for the transaction, so concurrent assignments (and deleteRole) of one role take turns.
   */
  assign(tenantId: string, userId: string, role: string): Promise<"assigned" | "already" | "unknown-role">;
  /** Removes the assignment: "removed", "absent" or "unknown-role". */
  unassign(tenantId: string, userId: string, role: string): Promise<"removed" | "absent" | "unknown-role">;
  /** The user's roles in the tenant, sorted: one query on the primary key's prefix. */
  rolesOfUser(tenantId: string, userId: string): Promise<string[]>;
  /** Users that have the role in the tenant, sorted. */
  usersWithRole(tenantId: string, role: string): Promise<string[]>;
  /** Deletes every assignment of the user (in every tenant) inside the caller's transaction (deleteUser). */
  deleteUserData(trx: DbTransaction, userId: string): Promise<void>;
}

// Bound parameters per statement stay well under every driver's limit (SQLite's was 999 before 3.32).
const ROLES_PER_QUERY = 500;

const column = <K extends string>(rows: Record<K, string>[], key: K): string[] => rows.map((row) => row[key]);

/** The userroles store over the deployment's database. */
export function makeUserRolesStore(db: Database): UserRolesStore {
  const roles = db.table("userroles_roles");
  const perms = db.table("userroles_permissions");
  const assignments = db.table("userroles_user_roles");

  // Both transactions lock the role's row first: a concurrent assignment waits for a deletion, then sees no role.
  const lockRole = async (trx: Knex.Transaction, role: string): Promise<boolean> =>
    (await db.forUpdate(trx(roles).where({ role }).select("role")).first()) !== undefined;

  // Inside a savepoint, so that a duplicate (a concurrent transaction inserted the same key first) leaves the
  // surrounding transaction usable on PostgreSQL too; true when this call inserted the row.
  const insertUnlessPresent = async (trx: Knex.Transaction, table: string, row: Record<string, string>) => {
    try {
      await trx.transaction(async (savepoint) => {
        await savepoint(table).insert(row);
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  };

  return {
    createRoleOrAddPermissions: (role, permissions) =>
      db.transaction(async (trx) => {
        const created = !(await lockRole(trx, role)) && (await insertUnlessPresent(trx, roles, { role }));
        await lockRole(trx, role);
        const rows = await trx(perms).where({ role }).select<{ permission: string }[]>("permission");
        const have = new Set(column(rows, "permission"));
        const missing = [...new Set(permissions)].filter((p) => !have.has(p));
        if (missing.length > 0) await trx(perms).insert(missing.map((permission) => ({ role, permission })));
        return created;
      }),
    roleExists: (role) => db.run(async (knex) => (await knex(roles).where({ role }).first("role")) !== undefined),
    allRoles: () =>
      db.run(async (knex) => column(await knex(roles).select<{ role: string }[]>("role").orderBy("role"), "role")),
    permissionsOfRole: (role) =>
      db.transaction(async (trx) => {
        if ((await trx(roles).where({ role }).first("role")) === undefined) return undefined;
        const rows = await trx(perms)
          .where({ role })
          .select<{ permission: string }[]>("permission")
          .orderBy("permission");
        return column(rows, "permission");
      }),
    permissionsOfRoles: (list) =>
      db.run(async (knex) => {
        const found = new Set<string>();
        for (let i = 0; i < list.length; i += ROLES_PER_QUERY) {
          const rows = await knex(perms)
            .whereIn("role", list.slice(i, i + ROLES_PER_QUERY))
            .distinct<{ permission: string }[]>("permission");
          for (const row of rows) found.add(row.permission);
        }
        return [...found].sort();
      }),
    removePermissions: (role, permissions) =>
      db.transaction(async (trx) => {
        if (!(await lockRole(trx, role))) return false;
        if (permissions.length > 0)
          await trx(perms)
            .where({ role })
            .whereIn("permission", [...permissions])
            .del();
        return true;
      }),
    rolesWithPermission: (permission) =>
      db.run(async (knex) =>
        column(await knex(perms).where({ permission }).select<{ role: string }[]>("role").orderBy("role"), "role"),
      ),
    deleteRole: (role) =>
      db.transaction(async (trx) => {
        if (!(await lockRole(trx, role))) return false;
        await trx(assignments).where({ role }).del();
        await trx(perms).where({ role }).del();
        await trx(roles).where({ role }).del();
        return true;
      }),
    assign: (tenantId, userId, role) =>
      db.transaction(async (trx) => {
        if (!(await lockRole(trx, role))) return "unknown-role";
        const inserted = await insertUnlessPresent(trx, assignments, { tenant_id: tenantId, user_id: userId, role });
        return inserted ? "assigned" : "already";
      }),
    unassign: (tenantId, userId, role) =>
      db.transaction(async (trx) => {
        if (!(await lockRole(trx, role))) return "unknown-role";
        const deleted = await trx(assignments).where({ tenant_id: tenantId, user_id: userId, role }).del();
        return deleted > 0 ? "removed" : "absent";
      }),
    rolesOfUser: (tenantId, userId) =>
      db.run(async (knex) =>
        column(
          await knex(assignments)
            .where({ tenant_id: tenantId, user_id: userId })
            .select<{ role: string }[]>("role")
            .orderBy("role"),
          "role",
        ),
      ),
    usersWithRole: (tenantId, role) =>
      db.run(async (knex) =>
        column(
          await knex(assignments)
            .where({ tenant_id: tenantId, role })
            .select<{ user_id: string }[]>("user_id")
            .orderBy("user_id"),
          "user_id",
        ),
      ),
    deleteUserData: async (trx, userId) => {
      await trx(assignments).where({ user_id: userId }).del();
    },
  };
}
