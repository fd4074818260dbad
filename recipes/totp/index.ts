import type { RecipeListFunction } from "../../lib/recipeModule";
import type { UserContext } from "../../lib/types";
import { TOTPError } from "./error";
import { TOTPRecipe } from "./recipe";
import type { RecipeInterface, TypeInput } from "./types";

export { TOTPError as Error };
export type {
  APIInterface,
  APIOptions,
  InvalidTOTPResult,
  LimitReachedResult,
  RecipeInterface,
  TOTPAlgorithm,
  TOTPDevice,
  TypeInput,
} from "./types";
export type { TOTPErrorPayloads, TOTPErrorType, TOTPErrorUnion } from "./error";

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function impl(): RecipeInterface {
  return TOTPRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/**
 * Adds the TOTP recipe (authenticator-app codes, a second factor for MultiFactorAuth) to the recipe list.
 *
 * @example
 * ```ts
 * Latchkey.init({ appInfo, recipeList: [EmailPassword.init(), Session.init(),
 *   TOTP.init({ secretEncryptionKey: process.env.TOTP_KEY! })] }); // at least 32 characters
 * ```
 */
export function init(config: TypeInput): RecipeListFunction {
  return (context) => new TOTPRecipe(context, config);
}

/**
 * A new unverified device for the user: its base32 secret and the otpauth:// URI to show as a QR code.
 *
 * @example
 * ```ts
 * const device = await TOTP.createDevice(userId, "ada@example.com", "phone");
 * if (device.status === "OK") showQrCode(device.qrCodeString); // an otpauth:// URI
 * ```
 */
export function createDevice(
  userId: string,
  userIdentifierInfo?: string,
  deviceName?: string,
  skew?: number,
  period?: number,
  userContext: UserContext = {},
): Result<"createDevice"> {
  return impl().createDevice({
    userId,
    ...(userIdentifierInfo !== undefined ? { userIdentifierInfo } : {}),
    ...(deviceName !== undefined ? { deviceName } : {}),
    ...(skew !== undefined ? { skew } : {}),
    ...(period !== undefined ? { period } : {}),
    userContext,
  });
}

/**
 * Renames one of the user's devices.
 *
 * @example
 * ```ts
 * await TOTP.updateDevice(userId, "phone", "work phone");
 * ```
 */
export function updateDevice(
  userId: string,
  existingDeviceName: string,
  newDeviceName: string,
  userContext: UserContext = {},
): Result<"updateDevice"> {
  return impl().updateDevice({ userId, existingDeviceName, newDeviceName, userContext });
}

/**
 * The user's devices.
 *
 * @example
 * ```ts
 * const { devices } = await TOTP.listDevices(userId);
 * const hasVerified = devices.some((d) => d.verified);
 * ```
 */
export function listDevices(userId: string, userContext: UserContext = {}): Result<"listDevices"> {
  return impl().listDevices({ userId, userContext });
}

/**
 * Deletes one of the user's devices.
 *
 * @example
 * ```ts
 * const { didDeviceExist } = await TOTP.removeDevice(userId, "phone");
 * ```
 */
export function removeDevice(
  userId: string,
  deviceName: string,
  userContext: UserContext = {},
): Result<"removeDevice"> {
  return impl().removeDevice({ userId, deviceName, userContext });
}

/**
 * Checks a code of one device and marks the device verified (counts toward the lock-out when wrong).
 *
 * @example
 * ```ts
 * const result = await TOTP.verifyDevice("public", userId, "phone", "123456");
 * if (result.status === "OK") console.log("device ready", result.wasAlreadyVerified);
 * ```
 */
export function verifyDevice(
  tenantId: string,
  userId: string,
  deviceName: string,
  totp: string,
  userContext: UserContext = {},
): Result<"verifyDevice"> {
  return impl().verifyDevice({ tenantId, userId, deviceName, totp, userContext });
}

/**
 * Checks a code against the user's verified devices (counts toward the lock-out when wrong).
 *
 * @example
 * ```ts
 * const result = await TOTP.verifyTOTP("public", userId, "123456");
 * if (result.status === "LIMIT_REACHED_ERROR") console.log(`try again in ${result.retryAfterMs} ms`);
 * ```
 */
export function verifyTOTP(
  tenantId: string,
  userId: string,
  totp: string,
  userContext: UserContext = {},
): Result<"verifyTOTP"> {
  return impl().verifyTOTP({ tenantId, userId, totp, userContext });
}

const TOTP = {
  init,
  createDevice,
  updateDevice,
  listDevices,
  removeDevice,
  verifyDevice,
  verifyTOTP,
  Error: TOTPError,
};

export default TOTP;
