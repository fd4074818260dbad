import crypto from "node:crypto";
import { isStorableText } from "../../lib/db/text";
import type { LoginMethodProvider } from "../../lib/seams";
import { TOTPError } from "./error";
import { base32Encode, matchingStep, type TOTPAlgorithm, type TOTPParameters } from "./otp";
import type { DeviceRecord, TOTPStore } from "./store";
import type { RecipeInterface, TypeNormalisedInput } from "./types";
import { otpauthURI } from "./uri";

/** Longest device name accepted (the column holds 256). */
export const MAX_DEVICE_NAME_LENGTH = 256;

// RFC 4226 asks for a secret as long as the hash's output: 20 bytes for SHA-1, 32 and 64 for the others.
const SECRET_BYTES: Record<TOTPAlgorithm, number> = { SHA1: 20, SHA256: 32, SHA512: 64 };

/** Binds a sealed secret to its row, so it does not decrypt on another user's row or under another device name. */
function sealContext(userId: string, deviceName: string): string {
  return JSON.stringify([userId, deviceName]);
}

function assertUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== "string" || userId === "" || userId.length > 128 || !isStorableText(userId))
    throw TOTPError.badInput("userId must be a non-empty string of at most 128 characters");
}

/** Throws BAD_INPUT_ERROR unless `name` is a device name the table can hold. */
export function assertDeviceName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.trim() === "" || name.length > MAX_DEVICE_NAME_LENGTH || !isStorableText(name))
    throw TOTPError.badInput(`deviceName must be a non-empty string of at most ${MAX_DEVICE_NAME_LENGTH} characters`);
}

/** The original implementation of the TOTP recipe's functions, over its store. */
export function makeRecipeImplementation(
  store: TOTPStore,
  config: TypeNormalisedInput,
  loginMethods: () => readonly LoginMethodProvider[],
  self: () => RecipeInterface,
): RecipeInterface {
  const params = (d: DeviceRecord): TOTPParameters => ({
    algorithm: d.algorithm as TOTPAlgorithm,
    digits: d.digits,
    period: d.period,
  });

  // The device whose code this is, at which step; a secret that no configured key opens matches nothing.
  const checkCode = (code: string, now: number) => (devices: DeviceRecord[]) => {
    for (const d of devices) {
      const secret = config.secretBox.open(d.secretSealed, sealContext(d.userId, d.name));
      if (secret === undefined) continue;
      const step = matchingStep(secret, params(d), code, d.skew, now);
      if (step !== undefined && step > d.lastUsedStep) return { deviceName: d.name, step };
    }
    return undefined;
  };

  const attempt = async (userId: string, code: string, pick: (all: DeviceRecord[]) => DeviceRecord[]) => {
    const now = Date.now();
    const outcome = await store.attempt({
      userId,
      devices: pick,
      check: checkCode(code, now),
      now,
      maxAttempts: config.maxAttempts,
      lockoutMs: config.lockoutMs,
    });
    switch (outcome.status) {
      case "OK":
        return outcome;
      case "LOCKED":
        return { status: "LIMIT_REACHED_ERROR" as const, retryAfterMs: Math.max(0, outcome.lockedUntil - now) };
      case "INVALID":
        return {
          status: "INVALID_TOTP_ERROR" as const,
          currentNumberOfFailedAttempts: outcome.failures,
          maxNumberOfFailedAttempts: config.maxAttempts,
        };
    }
  };

  // Codes are digits; anything else (or a non-string) is a wrong code, counted like one, never a 500.
  const codeOf = (totp: unknown): string => (typeof totp === "string" ? totp.trim() : "");

  return {
    async getUserIdentifierInfoForUserId({ userId, userContext }) {
      for (const provider of loginMethods()) {
        const method = await provider.getLoginMethod({ userId, userContext });
        if (method === undefined) continue;
        return { status: "OK", info: method.email ?? method.phoneNumber ?? userId };
      }
      return { status: "UNKNOWN_USER_ID_ERROR" };
    },

    async createDevice({ userId, userIdentifierInfo, deviceName, skew, period, userContext }) {
      assertUserId(userId);
      let account = userIdentifierInfo;
      if (account === undefined) {
        const info = await self().getUserIdentifierInfoForUserId({ userId, userContext });
        if (info.status !== "OK") return info;
        account = info.info;
      }
      const existing = await store.listDevices(userId);
      const name = deviceName ?? nextDefaultName(existing.map((d) => d.name));
      assertDeviceName(name);
      const algorithm = config.algorithm;
      const device: DeviceRecord = {
        userId,
        name,
        secretSealed: "",
        algorithm,
        digits: config.digits,
        period: period ?? config.defaultPeriod,
        skew: skew ?? config.defaultSkew,
        verified: false,
        lastUsedStep: -1,
      };
      if (!Number.isInteger(device.period) || device.period < 1 || device.period > 600)
        throw TOTPError.badInput("period must be an integer from 1 to 600");
      if (!Number.isInteger(device.skew) || device.skew < 0 || device.skew > 10)
        throw TOTPError.badInput("skew must be an integer from 0 to 10");
      const secret = crypto.randomBytes(SECRET_BYTES[algorithm]);
      device.secretSealed = config.secretBox.seal(secret, sealContext(userId, name));
      if (!(await store.insertDevice(device, Date.now()))) return { status: "DEVICE_ALREADY_EXISTS_ERROR" };
      const secretBase32 = base32Encode(secret);
      return {
        status: "OK",
        deviceName: name,
        secret: secretBase32,
        qrCodeString: otpauthURI({ issuer: config.issuer, account, secretBase32, ...params(device) }),
      };
    },

    async updateDevice({ userId, existingDeviceName, newDeviceName }) {
      assertUserId(userId);
      assertDeviceName(existingDeviceName);
      assertDeviceName(newDeviceName);
      // The sealed secret is bound to the device's name, so the rename stores it sealed for the new name.
      const devices = await store.listDevices(userId);
      const found = devices.find((d) => d.name === existingDeviceName);
      if (found === undefined) return { status: "UNKNOWN_DEVICE_ERROR" };
      const secret = config.secretBox.open(found.secretSealed, sealContext(userId, existingDeviceName));
      if (secret === undefined) return { status: "UNKNOWN_DEVICE_ERROR" };
      const result = await store.renameDevice(
        userId,
        existingDeviceName,
        newDeviceName,
        config.secretBox.seal(secret, sealContext(userId, newDeviceName)),
      );
      return { status: result === "EXISTS" ? "DEVICE_ALREADY_EXISTS_ERROR" : result };
    },

    async listDevices({ userId }) {
      assertUserId(userId);
      const devices = await store.listDevices(userId);
      return {
        status: "OK",
        devices: devices.map((d) => ({ name: d.name, period: d.period, skew: d.skew, verified: d.verified })),
      };
    },

    async removeDevice({ userId, deviceName }) {
      assertUserId(userId);
      assertDeviceName(deviceName);
      return { status: "OK", didDeviceExist: await store.removeDevice(userId, deviceName) };
    },

    async verifyDevice({ userId, deviceName, totp }) {
      assertUserId(userId);
      assertDeviceName(deviceName);
      // An unknown device is said before any code is checked, and costs no attempt (it reveals only the caller's own
      // device names: every route takes the user from the session).
      const devices = await store.listDevices(userId);
      if (!devices.some((d) => d.name === deviceName)) return { status: "UNKNOWN_DEVICE_ERROR" };
      const result = await attempt(userId, codeOf(totp), (all) => all.filter((d) => d.name === deviceName));
      if (result.status !== "OK") return result;
      return { status: "OK", wasAlreadyVerified: result.wasAlreadyVerified };
    },

    async verifyTOTP({ userId, totp }) {
      assertUserId(userId);
      const devices = await store.listDevices(userId);
      if (!devices.some((d) => d.verified)) return { status: "UNKNOWN_USER_ID_ERROR" };
      const result = await attempt(userId, codeOf(totp), (all) => all.filter((d) => d.verified));
      return result.status === "OK" ? { status: "OK" } : result;
    },
  };
}

/** "TOTP Device 1", "TOTP Device 2", ...: the first such name the user does not have yet. */
function nextDefaultName(taken: string[]): string {
  for (let i = 1; ; i++) {
    const name = `TOTP Device ${i}`;
    if (!taken.includes(name)) return name;
  }
}
