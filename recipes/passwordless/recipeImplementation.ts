import crypto from "node:crypto";
import { isStorableText } from "../../lib/db/text";
import { debugLog } from "../../lib/logger";
import { LatchkeyError } from "../../lib/error";
import { randomSecret, sameSecret, sha256 } from "../../lib/secrets";
import { PasswordlessError } from "./error";
import type { CodeRow, Contact, DeviceWithCodes, PasswordlessStore, UserRow } from "./store";
import type {
  ContactInput,
  CreatedCode,
  DeviceInfo,
  PasswordlessUser,
  RecipeInterface,
  TypeNormalisedInput,
} from "./types";
import { storableEmail, storablePhoneNumber } from "./validation";

const SWEEP_INTERVAL_MS = 3600_000;
// Expired codes are kept a day, so a late typed code still hears EXPIRED_USER_INPUT_CODE_ERROR rather than INCORRECT.
const KEEP_EXPIRED_MS = 24 * 3600_000;
const PRE_AUTH_SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** The preAuthSessionId of a device: sha256 of its id, so the id (the flow's secret) is never stored. */
export function preAuthSessionIdOf(deviceId: string): string {
  return sha256(deviceId, "base64url");
}

/** The stored hash of a typed code: keyed by the device id, so a stolen table cannot be searched for 6-digit codes. */
export function userInputCodeHash(deviceId: string, userInputCode: string): string {
  return sha256(`${deviceId}\n${userInputCode}`);
}

function userOf(row: UserRow): PasswordlessUser {
  return {
    id: row.user_id,
    ...(row.email !== null ? { email: row.email } : {}),
    ...(row.phone_number !== null ? { phoneNumber: row.phone_number } : {}),
    tenantId: row.tenant_id,
    timeJoined: Number(row.time_joined),
  };
}

function deviceInfoOf({ device, codes }: DeviceWithCodes): DeviceInfo {
  return {
    preAuthSessionId: device.device_id_hash,
    failedCodeInputAttemptCount: Number(device.failed_attempts),
    ...(device.email !== null ? { email: device.email } : {}),
    ...(device.phone_number !== null ? { phoneNumber: device.phone_number } : {}),
    codes: codes.map((c) => ({
      codeId: c.code_id,
      timeCreated: Number(c.created_at),
      codeLifetime: Number(c.expires_at) - Number(c.created_at),
    })),
  };
}

/** The stored form of an email or phone, or a 400 naming what is wrong. */
export function contactOf(input: ContactInput): Contact {
  if (typeof input.email === "string") {
    const email = storableEmail(input.email);
    if (email === undefined) throw PasswordlessError.badInput("Email is invalid");
    return { email, phone_number: null };
  }
  if (typeof input.phoneNumber === "string") {
    const phone = storablePhoneNumber(input.phoneNumber);
    if (phone === undefined) throw PasswordlessError.badInput("Phone number is invalid");
    return { email: null, phone_number: phone };
  }
  throw PasswordlessError.badInput("Please provide exactly one of email or phoneNumber");
}

// A lookup by a value no row can hold (too long, not text a column keeps) finds nothing, without asking the database.
function lookupContact(input: ContactInput): Contact | undefined {
  try {
    return contactOf(input);
  } catch {
    return undefined;
  }
}

/** The original implementation of the passwordless RecipeInterface over the store. */
export function makeRecipeImplementation(
  store: PasswordlessStore,
  config: TypeNormalisedInput,
  appInfo: { websiteDomain: string; websiteBasePath: string },
  self: () => RecipeInterface,
): RecipeInterface {
  let nextSweepAt = 0;
  function sweep(now: number): void {
    if (now < nextSweepAt) return;
    nextSweepAt = now + SWEEP_INTERVAL_MS;
    store.sweepExpired(now - KEEP_EXPIRED_MS).catch((err: unknown) => {
      debugLog(`passwordless sweep failed: ${err instanceof Error ? err.message : "unknown error"}`);
    });
  }

  async function newCode(
    deviceId: string,
    tenantId: string,
    given: string | undefined,
    userContext: Parameters<RecipeInterface["createCode"]>[0]["userContext"],
  ): Promise<{ row: CodeRow; userInputCode: string; linkCode: string }> {
    const userInputCode =
      given ??
      (config.getCustomUserInputCode !== undefined
        ? await config.getCustomUserInputCode(tenantId, userContext)
        : String(crypto.randomInt(0, 1_000_000)).padStart(6, "0"));
    if (typeof userInputCode !== "string" || userInputCode === "" || userInputCode.length > 100)
      throw PasswordlessError.badInput("userInputCode must be a string of 1 to 100 characters");
    const linkCode = randomSecret(32);
    const now = Date.now();
    return {
      row: {
        code_id: crypto.randomUUID(),
        device_id_hash: preAuthSessionIdOf(deviceId),
        link_code_hash: sha256(linkCode, "base64url"),
        user_input_code_hash: userInputCodeHash(deviceId, userInputCode),
        created_at: now,
        expires_at: now + config.codeLifetimeMs,
      },
      userInputCode,
      linkCode,
    };
  }

  function created(deviceId: string, code: Awaited<ReturnType<typeof newCode>>): CreatedCode {
    return {
      status: "OK",
      preAuthSessionId: code.row.device_id_hash,
      codeId: code.row.code_id,
      deviceId,
      userInputCode: code.userInputCode,
      linkCode: code.linkCode,
      codeLifetime: config.codeLifetimeMs,
      timeCreated: Number(code.row.created_at),
    };
  }

  async function signInUpContact(
    tenantId: string,
    contact: Contact,
  ): Promise<{ createdNewRecipeUser: boolean; user: PasswordlessUser }> {
    // Two first sign-ins of one address race to insert: the unique index lets one win, the other reads its user.
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await store.findUserByContact(tenantId, contact);
      if (found !== undefined) return { createdNewRecipeUser: false, user: userOf(found) };
      const row: UserRow = { user_id: crypto.randomUUID(), tenant_id: tenantId, ...contact, time_joined: Date.now() };
      if (await store.insertUser(row)) return { createdNewRecipeUser: true, user: userOf(row) };
    }
    throw new LatchkeyError(
      "GENERAL_ERROR",
      "passwordless: the user could not be created (a unique index kept refusing)",
    );
  }

  return {
    async createCode({ tenantId, userContext, userInputCode, ...contactInput }) {
      const contact = contactOf(contactInput as ContactInput);
      const deviceId = randomSecret(32);
      const code = await newCode(deviceId, tenantId, userInputCode, userContext);
      await store.insertDevice(
        {
          device_id_hash: code.row.device_id_hash,
          tenant_id: tenantId,
          ...contact,
          failed_attempts: 0,
          created_at: code.row.created_at,
        },
        code.row,
      );
      sweep(Date.now());
      return created(deviceId, code);
    },

    async createNewCodeForDevice({ deviceId, userInputCode, tenantId, userContext }) {
      const code = await newCode(deviceId, tenantId, userInputCode, userContext);
      const outcome = await store.insertCode(tenantId, code.row);
      if (outcome === "NO_DEVICE") return { status: "RESTART_FLOW_ERROR" };
      if (outcome === "CODE_TAKEN") return { status: "USER_INPUT_CODE_ALREADY_USED_ERROR" };
      return created(deviceId, code);
    },

    async consumeCode(input) {
      const { tenantId, preAuthSessionId } = input;
      if (!PRE_AUTH_SESSION_ID.test(preAuthSessionId) || !isStorableText(tenantId))
        return { status: "RESTART_FLOW_ERROR" };
      const now = () => Date.now();
      const maximumCodeInputAttempts = config.maximumCodeInputAttempts;
      let outcome;
      if (input.linkCode !== undefined) {
        outcome = await store.consumeLinkCode({
          tenantId,
          deviceIdHash: preAuthSessionId,
          linkCodeHash: sha256(input.linkCode, "base64url"),
          now,
        });
      } else {
        // The device id must be the one the preAuthSessionId was made from (compared as hashes, in constant time).
        if (!sameSecret(preAuthSessionIdOf(input.deviceId), preAuthSessionId)) return { status: "RESTART_FLOW_ERROR" };
        outcome = await store.consumeUserInputCode({
          tenantId,
          deviceIdHash: preAuthSessionId,
          userInputCodeHash: userInputCodeHash(input.deviceId, input.userInputCode),
          maximumAttempts: maximumCodeInputAttempts,
          now,
        });
      }
      if (outcome.status === "RESTART_FLOW_ERROR") return outcome;
      if (outcome.status !== "OK")
        return {
          status: outcome.status,
          failedCodeInputAttemptCount: outcome.failedAttempts,
          maximumCodeInputAttempts,
        };
      const { device } = outcome;
      const contact: Contact =
        device.email !== null
          ? { email: device.email, phone_number: null }
          : { email: null, phone_number: device.phone_number ?? "" };
      // A second factor for a signed-in session: the code is used up, nobody is signed in or up here. The session's
      // user stands in (the API answers with the core's user for that id).
      const { createdNewRecipeUser, user } =
        input.session !== undefined
          ? {
              createdNewRecipeUser: false,
              user: {
                id: input.session.getUserId(),
                tenantId,
                timeJoined: 0,
                ...(contact.email !== null ? { email: contact.email } : {}),
                ...(contact.phone_number !== null ? { phoneNumber: contact.phone_number } : {}),
              },
            }
          : await signInUpContact(tenantId, contact);
      return {
        status: "OK",
        createdNewRecipeUser,
        user,
        consumedDevice: {
          preAuthSessionId,
          failedCodeInputAttemptCount: Number(device.failed_attempts),
          ...(device.email !== null ? { email: device.email } : {}),
          ...(device.phone_number !== null ? { phoneNumber: device.phone_number } : {}),
        },
      };
    },

    async getUserById({ userId }) {
      if (!isStorableText(userId) || userId.length > 36) return undefined;
      const row = await store.findUserById(userId);
      return row === undefined ? undefined : userOf(row);
    },

    async getUserByEmail({ email, tenantId }) {
      const contact = lookupContact({ email });
      if (contact === undefined || !isStorableText(tenantId)) return undefined;
      const row = await store.findUserByContact(tenantId, contact);
      return row === undefined ? undefined : userOf(row);
    },

    async getUserByPhoneNumber({ phoneNumber, tenantId }) {
      const contact = lookupContact({ phoneNumber });
      if (contact === undefined || !isStorableText(tenantId)) return undefined;
      const row = await store.findUserByContact(tenantId, contact);
      return row === undefined ? undefined : userOf(row);
    },

    async updateUser({ userId, email, phoneNumber }) {
      const changes: { email?: string | null; phone_number?: string | null } = {};
      if (email !== undefined) changes.email = email === null ? null : contactOf({ email }).email;
      if (phoneNumber !== undefined)
        changes.phone_number = phoneNumber === null ? null : contactOf({ phoneNumber }).phone_number;
      if (!isStorableText(userId)) return { status: "UNKNOWN_USER_ID_ERROR" };
      const outcome = await store.updateUser(userId, changes);
      if (outcome === "NO_CONTACT")
        throw PasswordlessError.badInput(
          "A passwordless user keeps an email or a phone number: both cannot be cleared",
        );
      return { status: outcome };
    },

    async revokeAllCodes({ tenantId, userContext: _userContext, ...contactInput }) {
      const contact = lookupContact(contactInput as ContactInput);
      if (contact !== undefined) await store.deleteDevicesByContact(tenantId, contact);
      return { status: "OK" };
    },

    async revokeCode(input) {
      if (input.codeId !== undefined) {
        if (isStorableText(input.codeId)) await store.deleteCode(input.tenantId, input.codeId);
      } else if (PRE_AUTH_SESSION_ID.test(input.preAuthSessionId)) {
        await store.deleteDevice(input.tenantId, input.preAuthSessionId);
      }
      return { status: "OK" };
    },

    async listCodesByEmail({ email, tenantId }) {
      const contact = lookupContact({ email });
      return contact === undefined ? [] : (await store.findDevicesByContact(tenantId, contact)).map(deviceInfoOf);
    },

    async listCodesByPhoneNumber({ phoneNumber, tenantId }) {
      const contact = lookupContact({ phoneNumber });
      return contact === undefined ? [] : (await store.findDevicesByContact(tenantId, contact)).map(deviceInfoOf);
    },

    listCodesByDeviceId: ({ deviceId, tenantId, userContext }) =>
      self().listCodesByPreAuthSessionId({ preAuthSessionId: preAuthSessionIdOf(deviceId), tenantId, userContext }),

    async listCodesByPreAuthSessionId({ preAuthSessionId, tenantId }) {
      if (!PRE_AUTH_SESSION_ID.test(preAuthSessionId)) return undefined;
      const found = await store.findDevice(tenantId, preAuthSessionId);
      return found === undefined ? undefined : deviceInfoOf(found);
    },

    async createMagicLink({ tenantId, userContext, ...contactInput }) {
      const code = await self().createCode({ ...(contactInput as ContactInput), tenantId, userContext });
      return magicLink(appInfo, code.preAuthSessionId, code.linkCode, tenantId);
    },

    async signInUp({ tenantId, userContext, ...contactInput }) {
      const code = await self().createCode({ ...(contactInput as ContactInput), tenantId, userContext });
      const result = await self().consumeCode({
        userInputCode: code.userInputCode,
        deviceId: code.deviceId,
        preAuthSessionId: code.preAuthSessionId,
        tenantId,
        userContext,
      });
      if (result.status !== "OK")
        throw new LatchkeyError(
          "GENERAL_ERROR",
          `passwordless signInUp could not consume its own code (${result.status})`,
        );
      return { status: "OK", createdNewRecipeUser: result.createdNewRecipeUser, user: result.user };
    },
  };
}

/** The link the frontend SDK reads: preAuthSessionId and tenantId in the query, the link code in the fragment. */
export function magicLink(
  appInfo: { websiteDomain: string; websiteBasePath: string },
  preAuthSessionId: string,
  linkCode: string,
  tenantId: string,
): string {
  const query = `preAuthSessionId=${encodeURIComponent(preAuthSessionId)}&tenantId=${encodeURIComponent(tenantId)}`;
  return `${appInfo.websiteDomain}${appInfo.websiteBasePath}/verify?${query}#${linkCode}`;
}
