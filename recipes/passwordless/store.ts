// The only file of the passwordless recipe that builds SQL: named queries over its users, devices and codes.
import type { Knex } from "knex";
import { isUniqueViolation } from "../../lib/db/columns";
import type { Database, DbTransaction } from "../../lib/db/database";
import { type AddMemberOutcome, tenantMemberQueries } from "../../lib/db/tenantMembers";
import { type UserPageInput, userPageQuery } from "../../lib/db/userPage";
import { sameSecret } from "../../lib/secrets";

/** A user row as stored. */
export interface UserRow {
  user_id: string;
  tenant_id: string;
  email: string | null;
  phone_number: string | null;
  time_joined: number | string;
}

/** A device row: one flow in progress for one email or phone. */
export interface DeviceRow {
  device_id_hash: string;
  tenant_id: string;
  email: string | null;
  phone_number: string | null;
  failed_attempts: number | string;
  created_at: number | string;
}

/** A code row: only hashes of the secrets. */
export interface CodeRow {
  code_id: string;
  device_id_hash: string;
  link_code_hash: string;
  user_input_code_hash: string;
  created_at: number | string;
  expires_at: number | string;
}

/** A device with its codes. */
export interface DeviceWithCodes {
  device: DeviceRow;
  codes: CodeRow[];
}

/** The contact a device or user is for: one column set, the other null. */
export type Contact = { email: string; phone_number: null } | { email: null; phone_number: string };

/** What consuming a code did; a consumed device is gone (with its codes) in the same transaction. */
export type ConsumeOutcome =
  | { status: "OK"; device: DeviceRow }
  | { status: "INCORRECT_USER_INPUT_CODE_ERROR" | "EXPIRED_USER_INPUT_CODE_ERROR"; failedAttempts: number }
  | { status: "RESTART_FLOW_ERROR" };

/** The named queries of the passwordless recipe. */
export interface PasswordlessStore {
  findUserById(userId: string): Promise<UserRow | undefined>;
  /** One page of users in join order (see lib/db/userPage.ts); empty when the search names a field it lacks. */
  listUsers(input: UserPageInput): Promise<UserRow[]>;
  /** How many users there are (in the tenant, or in every tenant). */
  countUsers(tenantId?: string): Promise<number>;
  /** The member of the tenant with this email or phone (signed up there or added to it), if any. */
  findUserByContact(tenantId: string, contact: Contact): Promise<UserRow | undefined>;
  /** The tenants the user belongs to, by id. */
  tenantsOfUser(userId: string): Promise<string[]>;
  /** The tenants of each of these users (a page of a listing), in one query. */
  tenantsOfUsers(userIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Adds the user to the tenant; CLASH key 0: a member has the email, key 1: the phone; undefined: no user. */
  addToTenant(tenantId: string, userId: string): Promise<AddMemberOutcome | undefined>;
  /** Removes the user from the tenant; true when they were in it. */
  removeFromTenant(tenantId: string, userId: string): Promise<boolean>;
  /** Removes a deleted tenant's memberships of users who signed up elsewhere. */
  removeTenant(tenantId: string): Promise<void>;
  /** Inserts the user; false when the tenant already has a user with that email or phone (the unique index decided). */
  insertUser(row: UserRow): Promise<boolean>;
  /** Changes the user's email and/or phone (null clears one); a user keeps at least one of them. */
  updateUser(
    userId: string,
    changes: { email?: string | null; phone_number?: string | null },
  ): Promise<
    "OK" | "UNKNOWN_USER_ID_ERROR" | "EMAIL_ALREADY_EXISTS_ERROR" | "PHONE_NUMBER_ALREADY_EXISTS_ERROR" | "NO_CONTACT"
  >;
  /** A new device with its first code, in one transaction. */
  insertDevice(device: DeviceRow, code: CodeRow): Promise<void>;
  /** A further code for a live device; NO_DEVICE when it is gone, CODE_TAKEN when the device has that code already. */
  insertCode(tenantId: string, code: CodeRow): Promise<"OK" | "NO_DEVICE" | "CODE_TAKEN">;
  findDevice(tenantId: string, deviceIdHash: string): Promise<DeviceWithCodes | undefined>;
  findDevicesByContact(tenantId: string, contact: Contact): Promise<DeviceWithCodes[]>;
  /**
   * Checks a typed code against the device's codes (every one compared in constant time) with the device locked: a
   * live match deletes the device and its codes (single use: only the transaction whose delete removed the row wins);
   * otherwise counts a failed attempt, and at the limit deletes the device (RESTART_FLOW_ERROR).
   */
  consumeUserInputCode(input: {
    tenantId: string;
    deviceIdHash: string;
    userInputCodeHash: string;
    maximumAttempts: number;
    now: () => number;
  }): Promise<ConsumeOutcome>;
  /** Consumes a magic link's code: its device must be the preAuthSessionId's and it must not have expired. */
  consumeLinkCode(input: {
    tenantId: string;
    deviceIdHash: string;
    linkCodeHash: string;
    now: () => number;
  }): Promise<ConsumeOutcome>;
  /** Deletes one code; its device goes too when it has no code left. */
  deleteCode(tenantId: string, codeId: string): Promise<void>;
  deleteDevice(tenantId: string, deviceIdHash: string): Promise<void>;
  deleteDevicesByContact(tenantId: string, contact: Contact): Promise<void>;
  /** Deletes codes that expired before `before`, and devices left without codes. */
  sweepExpired(before: number): Promise<void>;
  /** Deletes the user and the flows in progress for their email and phone, inside the caller's transaction. */
  deleteUserData(trx: DbTransaction, userId: string): Promise<void>;
}

/** The passwordless store over the deployment's database. */
export function makePasswordlessStore(db: Database): PasswordlessStore {
  const users = db.table("passwordless_users");
  const devices = db.table("passwordless_devices");
  const codes = db.table("passwordless_codes");
  const members = db.table("passwordless_user_tenants");
  const membership = tenantMemberQueries(db, members, [["email"], ["phone_number"]]);

  const contactWhere = (contact: Contact) =>
    contact.email !== null ? { email: contact.email } : { phone_number: contact.phone_number };

  async function withCodes(knex: Knex, rows: DeviceRow[]): Promise<DeviceWithCodes[]> {
    if (rows.length === 0) return [];
    const all = await knex(codes)
      .whereIn(
        "device_id_hash",
        rows.map((r) => r.device_id_hash),
      )
      .orderBy("created_at")
      .select<CodeRow[]>();
    // Grouped through a map: the hashes are looked up, never compared one by one.
    const byDevice = new Map<string, CodeRow[]>(rows.map((r) => [r.device_id_hash, []]));
    for (const code of all) byDevice.get(code.device_id_hash)?.push(code);
    return rows.map((device) => ({ device, codes: byDevice.get(device.device_id_hash) ?? [] }));
  }

  // The device's rows go in one statement each; the device's own delete is the compare-and-set of single use.
  async function deleteDeviceIn(trx: Knex.Transaction, deviceIdHash: string): Promise<boolean> {
    await trx(codes).where({ device_id_hash: deviceIdHash }).del();
    return (await trx(devices).where({ device_id_hash: deviceIdHash }).del()) === 1;
  }

  async function deleteDevicesOf(trx: Knex.Transaction, tenantId: string, contact: Contact): Promise<void> {
    const rows = await trx(devices)
      .where({ tenant_id: tenantId, ...contactWhere(contact) })
      .select<{ device_id_hash: string }[]>("device_id_hash");
    for (const row of rows) await deleteDeviceIn(trx, row.device_id_hash);
  }

  return {
    listUsers: (input) =>
      db.readLagTolerant(async (knex) => {
        const query = userPageQuery(knex(users), { email: "email", phone: "phone_number" }, input);
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

    findUserByContact: (tenantId, contact) =>
      db.run((knex) =>
        knex(users)
          .join(members, `${members}.user_id`, `${users}.user_id`)
          .where(
            contact.email !== null
              ? { [`${members}.tenant_id`]: tenantId, [`${members}.email`]: contact.email }
              : { [`${members}.tenant_id`]: tenantId, [`${members}.phone_number`]: contact.phone_number },
          )
          .first<UserRow | undefined>(`${users}.*`),
      ),

    tenantsOfUser: (userId) => membership.tenantsOf(userId),
    tenantsOfUsers: (userIds) => membership.tenantsOfUsers(userIds),
    addToTenant: (tenantId, userId) =>
      membership.add(tenantId, userId, async (trx) => {
        const row = await trx(users)
          .where({ user_id: userId })
          .first<Pick<UserRow, "email" | "phone_number"> | undefined>("email", "phone_number");
        return row === undefined ? undefined : { tenant_id: tenantId, user_id: userId, ...row };
      }),
    removeFromTenant: (tenantId, userId) => membership.remove(tenantId, userId),
    removeTenant: (tenantId) => membership.removeTenant(tenantId, users),

    insertUser: (row) =>
      db.run(async (knex) => {
        try {
          await knex.transaction(async (trx) => {
            await trx(users).insert(row);
            await trx(members).insert({
              tenant_id: row.tenant_id,
              user_id: row.user_id,
              email: row.email,
              phone_number: row.phone_number,
            });
          });
          return true;
        } catch (err) {
          if (isUniqueViolation(err)) return false;
          throw err;
        }
      }),

    updateUser: (userId, changes) =>
      db.run(async (knex) => {
        try {
          return await knex.transaction(async (trx) => {
            const row = await db.forUpdate(trx(users).where({ user_id: userId })).first<UserRow | undefined>();
            if (row === undefined) return "UNKNOWN_USER_ID_ERROR" as const;
            const email = changes.email === undefined ? row.email : changes.email;
            const phone = changes.phone_number === undefined ? row.phone_number : changes.phone_number;
            if (email === null && phone === null) return "NO_CONTACT" as const;
            if (email !== null && email !== row.email) {
              const taken = await trx(users).where({ tenant_id: row.tenant_id, email }).first("user_id");
              if (taken !== undefined) return "EMAIL_ALREADY_EXISTS_ERROR" as const;
            }
            if (phone !== null && phone !== row.phone_number) {
              const taken = await trx(users).where({ tenant_id: row.tenant_id, phone_number: phone }).first("user_id");
              if (taken !== undefined) return "PHONE_NUMBER_ALREADY_EXISTS_ERROR" as const;
            }
            await trx(users).where({ user_id: userId }).update({ email, phone_number: phone });
            // Every tenant's copy: an address a member of any of the user's tenants has is refused (an index decides).
            await trx(members).where({ user_id: userId }).update({ email, phone_number: phone });
            // Codes and links already sent to an address that changed end with the change: to the old one they would
            // sign up a new user, to the new one (asked for before it was this user's) they would sign this user in.
            if (email !== row.email) {
              for (const e of [row.email, email])
                if (e !== null) await deleteDevicesOf(trx, row.tenant_id, { email: e, phone_number: null });
            }
            if (phone !== row.phone_number) {
              for (const p of [row.phone_number, phone])
                if (p !== null) await deleteDevicesOf(trx, row.tenant_id, { email: null, phone_number: p });
            }
            return "OK" as const;
          });
        } catch (err) {
          // Another user took the email or phone between the check and the write.
          if (isUniqueViolation(err))
            return changes.email !== undefined && changes.email !== null
              ? "EMAIL_ALREADY_EXISTS_ERROR"
              : "PHONE_NUMBER_ALREADY_EXISTS_ERROR";
          throw err;
        }
      }),

    insertDevice: (device, code) =>
      db.transaction(async (trx) => {
        await trx(devices).insert(device);
        await trx(codes).insert(code);
      }),

    insertCode: (tenantId, code) =>
      db.run(async (knex) => {
        try {
          return await knex.transaction(async (trx) => {
            const device = await db
              .forUpdate(trx(devices).where({ device_id_hash: code.device_id_hash, tenant_id: tenantId }))
              .first<DeviceRow | undefined>();
            if (device === undefined) return "NO_DEVICE" as const;
            await trx(codes).insert(code);
            return "OK" as const;
          });
        } catch (err) {
          if (isUniqueViolation(err)) return "CODE_TAKEN";
          throw err;
        }
      }),

    findDevice: (tenantId, deviceIdHash) =>
      db.run(async (knex) => {
        const rows = await knex(devices)
          .where({ device_id_hash: deviceIdHash, tenant_id: tenantId })
          .select<DeviceRow[]>();
        return (await withCodes(knex, rows))[0];
      }),

    findDevicesByContact: (tenantId, contact) =>
      db.run(async (knex) => {
        const rows = await knex(devices)
          .where({ tenant_id: tenantId, ...contactWhere(contact) })
          .orderBy("created_at")
          .select<DeviceRow[]>();
        return withCodes(knex, rows);
      }),

    consumeUserInputCode: ({ tenantId, deviceIdHash, userInputCodeHash, maximumAttempts, now }) =>
      db.transaction(async (trx): Promise<ConsumeOutcome> => {
        const device = await db
          .forUpdate(trx(devices).where({ device_id_hash: deviceIdHash, tenant_id: tenantId }))
          .first<DeviceRow | undefined>();
        if (device === undefined) return { status: "RESTART_FLOW_ERROR" };
        const rows = await trx(codes).where({ device_id_hash: deviceIdHash }).select<CodeRow[]>();
        // Every code is compared, whether or not an earlier one matched: the time taken says nothing of which did.
        let match: CodeRow | undefined;
        for (const row of rows) if (sameSecret(row.user_input_code_hash, userInputCodeHash)) match = row;
        if (match !== undefined && Number(match.expires_at) > now()) {
          return (await deleteDeviceIn(trx, deviceIdHash))
            ? { status: "OK", device }
            : { status: "RESTART_FLOW_ERROR" };
        }
        const failedAttempts = Number(device.failed_attempts) + 1;
        if (failedAttempts >= maximumAttempts) {
          await deleteDeviceIn(trx, deviceIdHash);
          return { status: "RESTART_FLOW_ERROR" };
        }
        // Compare-and-set on the count read under the lock: a count changed meanwhile means the device was consumed.
        const counted = await trx(devices)
          .where({ device_id_hash: deviceIdHash, failed_attempts: Number(device.failed_attempts) })
          .update({ failed_attempts: failedAttempts });
        if (counted !== 1) return { status: "RESTART_FLOW_ERROR" };
        return {
          status: match === undefined ? "INCORRECT_USER_INPUT_CODE_ERROR" : "EXPIRED_USER_INPUT_CODE_ERROR",
          failedAttempts,
        };
      }),

    consumeLinkCode: ({ tenantId, deviceIdHash, linkCodeHash, now }) =>
      db.transaction(async (trx): Promise<ConsumeOutcome> => {
        const code = await trx(codes).where({ link_code_hash: linkCodeHash }).first<CodeRow | undefined>();
        if (code === undefined || !sameSecret(code.device_id_hash, deviceIdHash))
          return { status: "RESTART_FLOW_ERROR" };
        const device = await db
          .forUpdate(trx(devices).where({ device_id_hash: deviceIdHash, tenant_id: tenantId }))
          .first<DeviceRow | undefined>();
        if (device === undefined || Number(code.expires_at) <= now()) return { status: "RESTART_FLOW_ERROR" };
        return (await deleteDeviceIn(trx, deviceIdHash)) ? { status: "OK", device } : { status: "RESTART_FLOW_ERROR" };
      }),

    deleteCode: (tenantId, codeId) =>
      db.transaction(async (trx) => {
        const code = await trx(codes).where({ code_id: codeId }).first<CodeRow | undefined>();
        if (code === undefined) return;
        const device = await db
          .forUpdate(trx(devices).where({ device_id_hash: code.device_id_hash, tenant_id: tenantId }))
          .first<DeviceRow | undefined>();
        if (device === undefined) return;
        await trx(codes).where({ code_id: codeId }).del();
        const left = await trx(codes).where({ device_id_hash: code.device_id_hash }).first("code_id");
        if (left === undefined) await trx(devices).where({ device_id_hash: code.device_id_hash }).del();
      }),

    deleteDevice: (tenantId, deviceIdHash) =>
      db.transaction(async (trx) => {
        const device = await trx(devices)
          .where({ device_id_hash: deviceIdHash, tenant_id: tenantId })
          .first("device_id_hash");
        if (device !== undefined) await deleteDeviceIn(trx, deviceIdHash);
      }),

    deleteDevicesByContact: (tenantId, contact) => db.transaction((trx) => deleteDevicesOf(trx, tenantId, contact)),

    sweepExpired: (before) =>
      db.transaction(async (trx) => {
        await trx(codes).where("expires_at", "<", before).del();
        await trx(devices)
          .whereNotExists(
            trx(codes)
              .select("code_id")
              .whereRaw("?? = ??", [`${codes}.device_id_hash`, `${devices}.device_id_hash`]),
          )
          .del();
      }),

    async deleteUserData(trx, userId) {
      const row = await trx(users).where({ user_id: userId }).first<UserRow | undefined>();
      if (row === undefined) return;
      for (const contact of [row.email, row.phone_number]) {
        if (contact === null) continue;
        const rows = await trx(devices)
          .where({ tenant_id: row.tenant_id })
          .andWhere((q) => void q.where({ email: contact }).orWhere({ phone_number: contact }))
          .select<{ device_id_hash: string }[]>("device_id_hash");
        for (const device of rows) await deleteDeviceIn(trx, device.device_id_hash);
      }
      await membership.deleteUser(trx, userId);
      await trx(users).where({ user_id: userId }).del();
    },
  };
}
