// The only file of the TOTP recipe that builds SQL: named queries over its devices and attempt counters.
import type { Database, DbTransaction } from "../../lib/db/database";

/** A device row as the recipe logic sees it (the secret still sealed). */
export interface DeviceRecord {
  userId: string;
  name: string;
  secretSealed: string;
  algorithm: string;
  digits: number;
  period: number;
  skew: number;
  verified: boolean;
  lastUsedStep: number;
}

/** What a code check decided, given the devices it may use. */
export type CodeCheck = { deviceName: string; step: number } | undefined;

/** The outcome of one attempt, as recorded. */
export type AttemptOutcome =
  | { status: "OK"; deviceName: string; wasAlreadyVerified: boolean }
  | { status: "INVALID"; failures: number }
  | { status: "LOCKED"; lockedUntil: number };

/** The named queries of the TOTP recipe. */
export interface TOTPStore {
  /** Inserts an unverified device; false when the user already has one of that name. */
  insertDevice(device: DeviceRecord, now: number): Promise<boolean>;
  /** The user's devices, oldest first. */
  listDevices(userId: string): Promise<DeviceRecord[]>;
  /** Renames a device and stores its secret sealed for the new name, in one transaction. */
  renameDevice(
    userId: string,
    from: string,
    to: string,
    secretSealed: string,
  ): Promise<"OK" | "UNKNOWN_DEVICE_ERROR" | "EXISTS">;
  /** Deletes a device; true when there was one. */
  removeDevice(userId: string, name: string): Promise<boolean>;
  /**
   * One attempt, in one transaction holding the user's attempt row: refused while locked out; else `check` picks a
   * device and time step among `devices` (read in the transaction); the step is accepted only if later than the
   * device's last accepted one (so a code works once, in every process), which resets the count of failures and
   * marks the device verified; anything else counts a failure, and the `maxAttempts`-th locks the user out.
   */
  attempt(input: {
    userId: string;
    devices: (all: DeviceRecord[]) => DeviceRecord[];
    check: (devices: DeviceRecord[]) => CodeCheck;
    now: number;
    maxAttempts: number;
    lockoutMs: number;
  }): Promise<AttemptOutcome>;
  /** Deletes the user's devices and counters inside the caller's transaction. */
  deleteUserData(trx: DbTransaction, userId: string): Promise<void>;
}

type DeviceRow = {
  user_id: string;
  device_name: string;
  secret_sealed: string;
  algorithm: string;
  digits: number | string;
  period: number | string;
  skew: number | string;
  verified: boolean | number;
  last_used_step: number | string;
  created_at: number | string;
};

function toRecord(row: DeviceRow): DeviceRecord {
  return {
    userId: row.user_id,
    name: row.device_name,
    secretSealed: row.secret_sealed,
    algorithm: row.algorithm,
    digits: Number(row.digits),
    period: Number(row.period),
    skew: Number(row.skew),
    verified: row.verified === true || Number(row.verified) === 1,
    lastUsedStep: Number(row.last_used_step),
  };
}

/** The TOTP store over the deployment's database. */
export function makeTOTPStore(db: Database): TOTPStore {
  const devices = db.table("totp_devices");
  const attempts = db.table("totp_attempts");

  return {
    async insertDevice(device, now) {
      return db.transaction(async (trx) => {
        const existing = await trx(devices)
          .where({ user_id: device.userId, device_name: device.name })
          .first<DeviceRow | undefined>();
        if (existing !== undefined) return false;
        // Two requests racing for one name: the second insert is ignored and reads back the first one's secret.
        await trx(devices)
          .insert({
            user_id: device.userId,
            device_name: device.name,
            secret_sealed: device.secretSealed,
            algorithm: device.algorithm,
            digits: device.digits,
            period: device.period,
            skew: device.skew,
            verified: false,
            last_used_step: -1,
            created_at: now,
          })
          .onConflict(["user_id", "device_name"])
          .ignore();
        const row = await trx(devices)
          .where({ user_id: device.userId, device_name: device.name })
          .first<DeviceRow | undefined>();
        return row?.secret_sealed === device.secretSealed;
      });
    },

    async listDevices(userId) {
      const rows = await db.run((knex) =>
        knex(devices).where({ user_id: userId }).orderBy(["created_at", "device_name"]).select<DeviceRow[]>(),
      );
      return rows.map(toRecord);
    },

    renameDevice: (userId, from, to, secretSealed) =>
      db.transaction(async (trx) => {
        const found = await trx(devices).where({ user_id: userId, device_name: from }).first<DeviceRow | undefined>();
        if (found === undefined) return "UNKNOWN_DEVICE_ERROR";
        if (from === to) return "OK";
        const taken = await trx(devices).where({ user_id: userId, device_name: to }).first<DeviceRow | undefined>();
        if (taken !== undefined) return "EXISTS";
        await trx(devices)
          .where({ user_id: userId, device_name: from })
          .update({ device_name: to, secret_sealed: secretSealed });
        return "OK";
      }),

    async removeDevice(userId, name) {
      const deleted = await db.run((knex) => knex(devices).where({ user_id: userId, device_name: name }).del());
      return Number(deleted) > 0;
    },

    attempt: ({ userId, devices: pick, check, now, maxAttempts, lockoutMs }) =>
      db.transaction(async (trx): Promise<AttemptOutcome> => {
        // A write first: on SQLite it takes the write lock before anything is read; elsewhere the row lock follows.
        await trx(attempts).insert({ user_id: userId, failures: 0, locked_until: 0 }).onConflict("user_id").ignore();
        const counter = await db
          .forUpdate(trx(attempts).where({ user_id: userId }))
          .first<{ failures: number | string; locked_until: number | string }>("failures", "locked_until");
        let failures = Number(counter?.failures ?? 0);
        const lockedUntil = Number(counter?.locked_until ?? 0);
        if (lockedUntil > now) return { status: "LOCKED", lockedUntil };
        // A lock-out that ran out starts the count again.
        if (failures >= maxAttempts) failures = 0;
        const rows = (await trx(devices).where({ user_id: userId }).select<DeviceRow[]>()).map(toRecord);
        const candidates = pick(rows);
        const match = check(candidates);
        const device = match === undefined ? undefined : candidates.find((d) => d.name === match.deviceName);
        if (match !== undefined && device !== undefined && match.step > device.lastUsedStep) {
          const updated = await trx(devices)
            .where({ user_id: userId, device_name: device.name })
            .andWhere("last_used_step", "<", match.step)
            .update({ last_used_step: match.step, verified: true });
          if (Number(updated) === 1) {
            await trx(attempts).where({ user_id: userId }).update({ failures: 0, locked_until: 0 });
            return { status: "OK", deviceName: device.name, wasAlreadyVerified: device.verified };
          }
        }
        failures += 1;
        await trx(attempts)
          .where({ user_id: userId })
          .update({ failures, locked_until: failures >= maxAttempts ? now + lockoutMs : 0 });
        return { status: "INVALID", failures };
      }),

    async deleteUserData(trx, userId) {
      await trx(devices).where({ user_id: userId }).del();
      await trx(attempts).where({ user_id: userId }).del();
    },
  };
}
