// The only file of the thirdparty recipe that builds SQL: named queries over its users table.
import type { Knex } from "knex";
import { isUniqueViolation } from "../../lib/db/columns";
import type { Database, DbTransaction } from "../../lib/db/database";
import { type AddMemberOutcome, tenantMemberQueries } from "../../lib/db/tenantMembers";
import { type UserPageInput, userPageQuery } from "../../lib/db/userPage";

/** A stored third-party user, as the recipe's logic sees it. */
export interface StoredUser {
  userId: string;
  tenantId: string;
  thirdPartyId: string;
  thirdPartyUserId: string;
  email: string;
  /** Whether the provider said it verified the email, at the last sign-in. */
  emailVerified: boolean;
  /** Milliseconds since the epoch. */
  timeJoined: number;
}

interface UserRow {
  user_id: string;
  tenant_id: string;
  third_party_id: string;
  third_party_user_id: string;
  email: string;
  email_verified: boolean | number;
  time_joined: number | string;
}

const fromRow = (row: UserRow): StoredUser => ({
  userId: row.user_id,
  tenantId: row.tenant_id,
  thirdPartyId: row.third_party_id,
  thirdPartyUserId: row.third_party_user_id,
  email: row.email,
  // SQLite and MySQL answer booleans as 0/1, and bigints as strings on some drivers.
  emailVerified: Boolean(row.email_verified),
  timeJoined: Number(row.time_joined),
});

/** The thirdparty recipe's queries. */
export interface ThirdPartyStore {
  findUserById(userId: string): Promise<StoredUser | undefined>;
  /** One page of users in join order (see lib/db/userPage.ts); empty when the search names a field it lacks. */
  listUsers(input: UserPageInput): Promise<StoredUser[]>;
  /** How many users there are (in the tenant, or in every tenant). */
  countUsers(tenantId?: string): Promise<number>;
  findUserByProviderIdentity(
    tenantId: string,
    thirdPartyId: string,
    thirdPartyUserId: string,
  ): Promise<StoredUser | undefined>;
  /** The tenants the user belongs to, by id. */
  tenantsOfUser(userId: string): Promise<string[]>;
  /** The tenants of each of these users (a page of a listing), in one query. */
  tenantsOfUsers(userIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Adds the user to the tenant; CLASH when a member of it has the same provider identity; undefined: no user. */
  addToTenant(tenantId: string, userId: string): Promise<AddMemberOutcome | undefined>;
  /** Removes the user from the tenant; true when they were in it. */
  removeFromTenant(tenantId: string, userId: string): Promise<boolean>;
  /** Removes a deleted tenant's memberships of users who signed up elsewhere. */
  removeTenant(tenantId: string): Promise<void>;
  /** The tenant's members with this (normalised) email, oldest first. */
  findUsersByEmail(tenantId: string, email: string): Promise<StoredUser[]>;
  /** Inserts the user (a member of their tenant); false when an index refused it (this identity is a member already). */
  insertUser(user: StoredUser): Promise<boolean>;
  /** Sets the email and its verified flag of one user, in one statement. */
  updateEmail(userId: string, email: string, emailVerified: boolean): Promise<void>;
  /** Deletes the user's row inside the caller's transaction (Latchkey.deleteUser). */
  deleteUser(trx: DbTransaction, userId: string): Promise<void>;
}

/** The queries over this deployment's `thirdparty_users` table. */
export function makeStore(db: Database): ThirdPartyStore {
  const users = db.table("thirdparty_users");
  const members = db.table("thirdparty_user_tenants");
  const membership = tenantMemberQueries(db, members, [["third_party_id", "third_party_user_id"]]);
  const memberOf = (knex: Knex, tenantId: string) =>
    knex(users)
      .join(members, `${members}.user_id`, `${users}.user_id`)
      .where({ [`${members}.tenant_id`]: tenantId });
  return {
    listUsers: (input) =>
      db.readLagTolerant(async (knex) => {
        const query = userPageQuery(knex(users), { email: "email", provider: "third_party_id" }, input);
        return query === undefined ? [] : (await query.select<UserRow[]>()).map(fromRow);
      }),
    countUsers: (tenantId) =>
      db.readLagTolerant(async (knex) => {
        const query = knex(users);
        if (tenantId !== undefined) void query.where({ tenant_id: tenantId });
        const row = await query.count<{ n: number | string }[]>({ n: "*" }).first();
        return Number(row?.n ?? 0);
      }),
    async findUserById(userId) {
      const row = await db.run((knex) => knex(users).where({ user_id: userId }).first<UserRow | undefined>());
      return row === undefined ? undefined : fromRow(row);
    },

    async findUserByProviderIdentity(tenantId, thirdPartyId, thirdPartyUserId) {
      const row = await db.run((knex) =>
        memberOf(knex, tenantId)
          .where({ [`${members}.third_party_id`]: thirdPartyId, [`${members}.third_party_user_id`]: thirdPartyUserId })
          .first<UserRow | undefined>(`${users}.*`),
      );
      return row === undefined ? undefined : fromRow(row);
    },

    async findUsersByEmail(tenantId, email) {
      const rows = await db.run((knex) =>
        memberOf(knex, tenantId)
          .where({ [`${users}.email`]: email })
          .orderBy(`${users}.time_joined`)
          .select<UserRow[]>(`${users}.*`),
      );
      return rows.map(fromRow);
    },

    insertUser(user) {
      const row: UserRow = {
        user_id: user.userId,
        tenant_id: user.tenantId,
        third_party_id: user.thirdPartyId,
        third_party_user_id: user.thirdPartyUserId,
        email: user.email,
        email_verified: user.emailVerified,
        time_joined: user.timeJoined,
      };
      return db.run(async (knex) => {
        try {
          await knex.transaction(async (trx) => {
            await trx(users).insert(row);
            await trx(members).insert({
              tenant_id: row.tenant_id,
              user_id: row.user_id,
              third_party_id: row.third_party_id,
              third_party_user_id: row.third_party_user_id,
            });
          });
          return true;
        } catch (err) {
          if (isUniqueViolation(err)) return false;
          throw err;
        }
      });
    },

    async updateEmail(userId, email, emailVerified) {
      await db.run((knex) => knex(users).where({ user_id: userId }).update({ email, email_verified: emailVerified }));
    },

    tenantsOfUser: (userId) => membership.tenantsOf(userId),
    tenantsOfUsers: (userIds) => membership.tenantsOfUsers(userIds),
    addToTenant: (tenantId, userId) =>
      membership.add(tenantId, userId, async (trx) => {
        const row = await trx(users)
          .where({ user_id: userId })
          .first<Pick<UserRow, "third_party_id" | "third_party_user_id"> | undefined>(
            "third_party_id",
            "third_party_user_id",
          );
        return row === undefined ? undefined : { tenant_id: tenantId, user_id: userId, ...row };
      }),
    removeFromTenant: (tenantId, userId) => membership.remove(tenantId, userId),
    removeTenant: (tenantId) => membership.removeTenant(tenantId, users),

    async deleteUser(trx, userId) {
      await membership.deleteUser(trx, userId);
      await trx(users).where({ user_id: userId }).del();
    },
  };
}
