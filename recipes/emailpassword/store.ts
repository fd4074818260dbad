// The only file of the emailpassword recipe that builds SQL: named queries over its users and reset tokens.
import { isUniqueViolation } from "../../lib/db/columns";
import type { Database, DbTransaction } from "../../lib/db/database";
import { type AddMemberOutcome, tenantMemberQueries } from "../../lib/db/tenantMembers";
import { type UserPageInput, userPageQuery } from "../../lib/db/userPage";

/** A user row as stored. */
export interface UserRow {
  user_id: string;
  tenant_id: string;
  email: string;
  password_hash: string;
  time_joined: number | string;
}

/** The columns updateEmailOrPassword may change. */
export type UserChanges = Partial<Pick<UserRow, "email" | "password_hash">>;

/** The named queries of the emailpassword recipe. */
export interface EmailPasswordStore {
  /** The user with this id (in any tenant), if any. */
  findUserById(userId: string): Promise<UserRow | undefined>;
  /** One page of users in join order (see lib/db/userPage.ts); empty when the search names a field it lacks. */
  listUsers(input: UserPageInput): Promise<UserRow[]>;
  /** How many users there are (in the tenant, or in every tenant). */
  countUsers(tenantId?: string): Promise<number>;
  /** The member of the tenant with this (normalised) email, if any (signed up there or added to it). */
  findUserByEmail(tenantId: string, email: string): Promise<UserRow | undefined>;
  /** The password hash of the user, if the user exists. */
  findPasswordHash(userId: string): Promise<string | undefined>;
  /** The tenants the user belongs to, by id. */
  tenantsOfUser(userId: string): Promise<string[]>;
  /** The tenants of each of these users (a page of a listing), in one query. */
  tenantsOfUsers(userIds: readonly string[]): Promise<Map<string, string[]>>;
  /** True when the user belongs to the tenant. */
  isMember(tenantId: string, userId: string): Promise<boolean>;
  /** Adds the user to the tenant with their email; CLASH when a member of it has that email; undefined: no user. */
  addToTenant(tenantId: string, userId: string): Promise<AddMemberOutcome | undefined>;
  /** Removes the user from the tenant; true when they were in it. */
  removeFromTenant(tenantId: string, userId: string): Promise<boolean>;
  /** Removes a deleted tenant's memberships of users who signed up elsewhere. */
  removeTenant(tenantId: string): Promise<void>;
  /** Inserts the user (a member of their tenant); false when a member of the tenant has that email (an index decided). */
  insertUser(row: UserRow): Promise<boolean>;
  /**
   * Applies the changes and, in the same transaction, deletes the user's reset tokens (a changed email or password
   * ends every reset in flight); the outcome says whether the user exists and whether the new email was free.
   */
  updateUser(
    userId: string,
    changes: UserChanges,
  ): Promise<"OK" | "UNKNOWN_USER_ID_ERROR" | "EMAIL_ALREADY_EXISTS_ERROR">;
  /** Stores a reset token's hash with the email it is for, and deletes the user's expired ones. */
  insertResetToken(input: {
    tokenHash: string;
    userId: string;
    tenantId: string;
    email: string;
    expiresAt: number;
    now: number;
  }): Promise<void>;
  /**
   * In one transaction: takes the token (locked), deletes every reset token of its user, and if the token had not
   * expired and the user's email is still the one it was issued for, sets the password. The user's id when the
   * password was set, else undefined.
   */
  consumeResetTokenAndSetPassword(input: {
    tokenHash: string;
    tenantId: string;
    passwordHash: string;
    now: () => number;
  }): Promise<string | undefined>;
  /** Deletes the user and their reset tokens inside the caller's transaction. */
  deleteUserData(trx: DbTransaction, userId: string): Promise<void>;
}

/** The emailpassword store over the deployment's database. */
export function makeEmailPasswordStore(db: Database): EmailPasswordStore {
  const users = db.table("emailpassword_users");
  const tokens = db.table("emailpassword_reset_tokens");
  const members = db.table("emailpassword_user_tenants");
  const membership = tenantMemberQueries(db, members, [["email"]]);

  return {
    listUsers: (input) =>
      db.readLagTolerant(async (knex) => {
        const query = userPageQuery(knex(users), { email: "email" }, input);
        return query === undefined ? [] : await query.select<UserRow[]>();
      }),
    countUsers: (tenantId) =>
      db.readLagTolerant(async (knex) => {
        const query = knex(users);
        if (tenantId !== undefined) void query.where({ tenant_id: tenantId });
        const row = await query.count<{ n: number | string }[]>({ n: "*" }).first();
        return Number(row?.n ?? 0);
      }),
    findUserById: (userId) => db.run((knex) => knex(users).where({ user_id: userId }).first<UserRow | undefined>()),

    findUserByEmail: (tenantId, email) =>
      db.run((knex) =>
        knex(users)
          .join(members, `${members}.user_id`, `${users}.user_id`)
          // The users table's email is the one that signs in (the member's copy keeps it unique in the tenant).
          .where({ [`${users}.email`]: email, [`${members}.tenant_id`]: tenantId })
          .first<UserRow | undefined>(`${users}.*`),
      ),

    tenantsOfUser: (userId) => membership.tenantsOf(userId),
    tenantsOfUsers: (userIds) => membership.tenantsOfUsers(userIds),
    isMember: (tenantId, userId) => membership.isMember(tenantId, userId),
    addToTenant: (tenantId, userId) =>
      membership.add(tenantId, userId, async (trx) => {
        const row = await trx(users).where({ user_id: userId }).first<Pick<UserRow, "email"> | undefined>("email");
        return row === undefined ? undefined : { tenant_id: tenantId, user_id: userId, email: row.email };
      }),
    removeFromTenant: (tenantId, userId) => membership.remove(tenantId, userId),
    removeTenant: (tenantId) => membership.removeTenant(tenantId, users),

    async findPasswordHash(userId) {
      const row = await db.run((knex) =>
        knex(users).where({ user_id: userId }).first<Pick<UserRow, "password_hash"> | undefined>("password_hash"),
      );
      return row?.password_hash;
    },

    insertUser: (row) =>
      db.run(async (knex) => {
        try {
          await knex.transaction(async (trx) => {
            await trx(users).insert(row);
            await trx(members).insert({ tenant_id: row.tenant_id, user_id: row.user_id, email: row.email });
          });
          return true;
        } catch (err) {
          if (isUniqueViolation(err)) return false;
          throw err;
        }
      }),

    async updateUser(userId, changes) {
      if (Object.keys(changes).length === 0) {
        const found = await db.run((knex) => knex(users).where({ user_id: userId }).first("user_id"));
        return found === undefined ? "UNKNOWN_USER_ID_ERROR" : "OK";
      }
      return db.run(async (knex) => {
        try {
          // The unique violation rolls the transaction back (tokens kept) and is caught here, before run() would turn
          // it into a GENERAL_ERROR.
          return await knex.transaction(async (trx) => {
            const count = await trx(users).where({ user_id: userId }).update(changes);
            if (count === 0) return "UNKNOWN_USER_ID_ERROR" as const;
            // Every tenant's copy: an email taken by a member of any of the user's tenants is refused (as SuperTokens).
            if (changes.email !== undefined)
              await trx(members).where({ user_id: userId }).update({ email: changes.email });
            await trx(tokens).where({ user_id: userId }).del();
            return "OK" as const;
          });
        } catch (err) {
          if (isUniqueViolation(err)) return "EMAIL_ALREADY_EXISTS_ERROR";
          throw err;
        }
      });
    },

    async insertResetToken({ tokenHash, userId, tenantId, email, expiresAt, now }) {
      // One transaction: a write conflict (a cluster's, at commit) reruns both statements, where two separate ones
      // would insert the token again after the clean-up failed, and fail on its own primary key.
      await db.transaction(async (trx) => {
        await trx(tokens).insert({
          token_hash: tokenHash,
          user_id: userId,
          tenant_id: tenantId,
          email,
          expires_at: expiresAt,
        });
        await trx(tokens).where({ user_id: userId }).andWhere("expires_at", "<=", now).del();
      });
    },

    consumeResetTokenAndSetPassword: ({ tokenHash, tenantId, passwordHash, now }) =>
      db.transaction(async (trx) => {
        const row = await db
          .forUpdate(trx(tokens).where({ token_hash: tokenHash, tenant_id: tenantId }))
          .first<{ user_id: string; email: string | null; expires_at: number | string } | undefined>();
        if (row === undefined) return undefined;
        // Single use: consuming it (and the user's other reset tokens) commits with the password change or not at all.
        await trx(tokens).where({ user_id: row.user_id }).del();
        if (Number(row.expires_at) <= now() || row.email === null) return undefined;
        // Only while the user still has the email the token was sent to: the condition sits in the UPDATE itself,
        // so no email change can slip in between a check and the write.
        const updated = await trx(users)
          .where({ user_id: row.user_id, email: row.email })
          .update({ password_hash: passwordHash });
        return updated === 1 ? row.user_id : undefined;
      }),

    async deleteUserData(trx, userId) {
      await trx(tokens).where({ user_id: userId }).del();
      await membership.deleteUser(trx, userId);
      await trx(users).where({ user_id: userId }).del();
    },
  };
}
