// The only file of the multitenancy recipe that builds SQL: named queries over tenants, their providers and users.
import type { Knex } from "knex";
import { isUniqueViolation } from "../../lib/db/columns";
import type { Database, DbTransaction } from "../../lib/db/database";

/** A tenant's row: factor lists as stored (undefined: not configured). */
export interface TenantRow {
  tenantId: string;
  firstFactors: string[] | undefined;
  requiredSecondaryFactors: string[] | undefined;
}

/** A change of a tenant's factor lists: undefined leaves a list as it is, null resets it to "not configured". */
export interface TenantChange {
  firstFactors?: string[] | null;
  requiredSecondaryFactors?: string[] | null;
}

/** The named queries of the multitenancy recipe. */
export interface MultitenancyStore {
  /** Creates the tenant or changes it; true when this call created it (of racing creators, exactly one). */
  upsertTenant(tenantId: string, change: TenantChange): Promise<boolean>;
  /** The tenant's row, if stored. */
  findTenant(tenantId: string): Promise<TenantRow | undefined>;
  /** Every stored tenant, by id. */
  allTenants(): Promise<TenantRow[]>;
  /** Deletes the tenant, its providers and its user associations in one transaction; true when it existed. */
  deleteTenant(tenantId: string): Promise<boolean>;
  /** Stores (or replaces) a sealed provider config; true when it is new. */
  upsertProvider(tenantId: string, thirdPartyId: string, sealed: string): Promise<boolean>;
  /** The tenant's sealed provider configs, by provider id. */
  providersOf(tenantId: string): Promise<{ thirdPartyId: string; sealed: string }[]>;
  /** Deletes one provider config; true when it existed. */
  deleteProvider(tenantId: string, thirdPartyId: string): Promise<boolean>;
  /** Adds the user to the tenant; false when they already were. */
  associate(tenantId: string, userId: string): Promise<boolean>;
  /** Removes the user from the tenant; false when they were not in it. */
  disassociate(tenantId: string, userId: string): Promise<boolean>;
  /** The tenants the user was added to. */
  tenantsOfUser(userId: string): Promise<string[]>;
  /** Deletes the user's associations inside the caller's transaction (deleteUser). */
  deleteUserData(trx: DbTransaction, userId: string): Promise<void>;
}

interface StoredTenant {
  tenant_id: string;
  first_factors: string | null;
  required_secondary_factors: string | null;
}

const parseList = (text: string | null): string[] | undefined =>
  text === null ? undefined : (JSON.parse(text) as string[]);

const toRow = (row: StoredTenant): TenantRow => ({
  tenantId: row.tenant_id,
  firstFactors: parseList(row.first_factors),
  requiredSecondaryFactors: parseList(row.required_secondary_factors),
});

// Only the lists the change names: undefined keeps the stored one.
function changedColumns(change: TenantChange): Record<string, string | null> {
  const columns: Record<string, string | null> = {};
  if (change.firstFactors !== undefined)
    columns.first_factors = change.firstFactors === null ? null : JSON.stringify(change.firstFactors);
  if (change.requiredSecondaryFactors !== undefined)
    columns.required_secondary_factors =
      change.requiredSecondaryFactors === null ? null : JSON.stringify(change.requiredSecondaryFactors);
  return columns;
}

// An insert that a concurrent insert of the same key may beat: false then, with nothing written. Inside a savepoint
// so that the refused insert leaves a surrounding transaction usable on PostgreSQL.
async function insertUnlessPresent(knex: Knex, table: string, row: Record<string, unknown>): Promise<boolean> {
  try {
    await knex.transaction(async (trx) => {
      await trx(table).insert(row);
    });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/** The multitenancy store over the deployment's database. */
export function makeMultitenancyStore(db: Database): MultitenancyStore {
  const tenants = db.table("multitenancy_tenants");
  const providers = db.table("multitenancy_thirdparty_configs");
  const members = db.table("multitenancy_tenant_users");

  return {
    // Insert first: of two creators at once, the database's primary key picks the one that created the tenant; the
    // other updates the row the winner wrote (last writer's lists win, as with any two updates).
    upsertTenant: (tenantId, change) =>
      db.run(async (knex) => {
        const columns = changedColumns(change);
        if (await insertUnlessPresent(knex, tenants, { tenant_id: tenantId, ...columns, created_at: Date.now() }))
          return true;
        if (Object.keys(columns).length > 0) await knex(tenants).where({ tenant_id: tenantId }).update(columns);
        return false;
      }),
    findTenant: (tenantId) =>
      db.run(async (knex) => {
        const row = await knex(tenants)
          .where({ tenant_id: tenantId })
          .first<StoredTenant | undefined>("tenant_id", "first_factors", "required_secondary_factors");
        return row === undefined ? undefined : toRow(row);
      }),
    allTenants: () =>
      db.readLagTolerant(async (knex) =>
        (
          await knex(tenants)
            .select<StoredTenant[]>("tenant_id", "first_factors", "required_secondary_factors")
            .orderBy("tenant_id")
        ).map(toRow),
      ),
    deleteTenant: (tenantId) =>
      db.transaction(async (trx) => {
        await trx(providers).where({ tenant_id: tenantId }).del();
        await trx(members).where({ tenant_id: tenantId }).del();
        return (await trx(tenants).where({ tenant_id: tenantId }).del()) > 0;
      }),
    upsertProvider: (tenantId, thirdPartyId, sealed) =>
      db.run(async (knex) => {
        const key = { tenant_id: tenantId, third_party_id: thirdPartyId };
        const values = { config_sealed: sealed, updated_at: Date.now() };
        if (await insertUnlessPresent(knex, providers, { ...key, ...values })) return true;
        await knex(providers).where(key).update(values);
        return false;
      }),
    providersOf: (tenantId) =>
      db.run(async (knex) =>
        (
          await knex(providers)
            .where({ tenant_id: tenantId })
            .select<{ third_party_id: string; config_sealed: string }[]>("third_party_id", "config_sealed")
            .orderBy("third_party_id")
        ).map((r) => ({ thirdPartyId: r.third_party_id, sealed: r.config_sealed })),
      ),
    deleteProvider: (tenantId, thirdPartyId) =>
      db.run(
        async (knex) => (await knex(providers).where({ tenant_id: tenantId, third_party_id: thirdPartyId }).del()) > 0,
      ),
    associate: (tenantId, userId) =>
      db.run((knex) => insertUnlessPresent(knex, members, { tenant_id: tenantId, user_id: userId })),
    disassociate: (tenantId, userId) =>
      db.run(async (knex) => (await knex(members).where({ tenant_id: tenantId, user_id: userId }).del()) > 0),
    tenantsOfUser: (userId) =>
      db.run(async (knex) =>
        (await knex(members).where({ user_id: userId }).select<{ tenant_id: string }[]>("tenant_id")).map(
          (r) => r.tenant_id,
        ),
      ),
    deleteUserData: async (trx, userId) => {
      await trx(members).where({ user_id: userId }).del();
    },
  };
}
