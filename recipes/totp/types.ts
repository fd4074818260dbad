import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import type { OverrideInput } from "../../lib/override";
import type { MultiFactorAuthService, SessionInventory, SessionService } from "../../lib/seams";
import type { SessionContainerInterface } from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import type { TOTPAlgorithm } from "./otp";
import type { SecretBox } from "../../lib/secretBox";

export type { TOTPAlgorithm };

/** The argument of `TOTP.init()`. */
export interface TypeInput {
  /**
   * The key TOTP secrets are encrypted with at rest (at least 32 characters; keep it outside the database, e.g. in an
   * environment variable). A list rotates keys: the first encrypts, every one decrypts.
   */
  secretEncryptionKey: string | string[];
  /** The issuer authenticator apps show; default `appInfo.appName`. */
  issuer?: string;
  /** Time steps accepted either side of now (clock skew); default 1. */
  defaultSkew?: number;
  /** Seconds per code; default 30. */
  defaultPeriod?: number;
  /** Digits per code (6 to 8); default 6. */
  digits?: number;
  /** The HMAC of new devices; default SHA1 (what every authenticator app supports). */
  algorithm?: TOTPAlgorithm;
  /** Wrong codes in a row before the user is locked out; default 5. */
  maxAttempts?: number;
  /** How long a lock-out lasts, in seconds; default 900. */
  lockoutSeconds?: number;
  /**
   * End the user's other sessions when a device is verified (a new authenticator is a change of factor, ASVS 7.4.3):
   * a session signed in with the password alone before the device existed keeps no access; default true.
   */
  revokeOtherSessionsOnDeviceVerified?: boolean;
  override?: OverrideInput<RecipeInterface, APIInterface>;
}

/** TypeInput after validation. */
export interface TypeNormalisedInput {
  issuer: string;
  defaultSkew: number;
  defaultPeriod: number;
  digits: number;
  algorithm: TOTPAlgorithm;
  maxAttempts: number;
  lockoutMs: number;
  revokeOtherSessionsOnDeviceVerified: boolean;
  secretBox: SecretBox;
}

/** A TOTP device as listed (SuperTokens' shape). */
export interface TOTPDevice {
  name: string;
  /** Seconds per code. */
  period: number;
  /** Steps accepted either side of now. */
  skew: number;
  verified: boolean;
}

/** The answer to a wrong code: how many in a row so far, and how many lock the user out. */
export interface InvalidTOTPResult {
  status: "INVALID_TOTP_ERROR";
  currentNumberOfFailedAttempts: number;
  maxNumberOfFailedAttempts: number;
}

/** The answer while the user is locked out. */
export interface LimitReachedResult {
  status: "LIMIT_REACHED_ERROR";
  retryAfterMs: number;
}

/** The TOTP recipe's overridable functions; each takes one input object with `userContext`. */
export interface RecipeInterface {
  /** How the user is named in the authenticator app (their email, else phone number, else id). */
  getUserIdentifierInfoForUserId(input: {
    userId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; info: string } | { status: "UNKNOWN_USER_ID_ERROR" }>;
  /** A new, unverified device: its base32 secret and the otpauth:// URI for a QR code. */
  createDevice(input: {
    userId: string;
    userIdentifierInfo?: string;
    deviceName?: string;
    skew?: number;
    period?: number;
    userContext: UserContext;
  }): Promise<
    | { status: "OK"; deviceName: string; secret: string; qrCodeString: string }
    | { status: "DEVICE_ALREADY_EXISTS_ERROR" }
    | { status: "UNKNOWN_USER_ID_ERROR" }
  >;
  /** Renames a device. */
  updateDevice(input: {
    userId: string;
    existingDeviceName: string;
    newDeviceName: string;
    userContext: UserContext;
  }): Promise<{ status: "OK" | "UNKNOWN_DEVICE_ERROR" | "DEVICE_ALREADY_EXISTS_ERROR" }>;
  /** The user's devices, verified or not. */
  listDevices(input: { userId: string; userContext: UserContext }): Promise<{ status: "OK"; devices: TOTPDevice[] }>;
  /** Deletes a device. */
  removeDevice(input: {
    userId: string;
    deviceName: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; didDeviceExist: boolean }>;
  /** Checks a code of one device (verified or not) and marks it verified. */
  verifyDevice(input: {
    tenantId: string;
    userId: string;
    deviceName: string;
    totp: string;
    userContext: UserContext;
  }): Promise<
    | { status: "OK"; wasAlreadyVerified: boolean }
    | { status: "UNKNOWN_DEVICE_ERROR" }
    | InvalidTOTPResult
    | LimitReachedResult
  >;
  /** Checks a code against the user's verified devices. */
  verifyTOTP(input: {
    tenantId: string;
    userId: string;
    totp: string;
    userContext: UserContext;
  }): Promise<{ status: "OK" } | { status: "UNKNOWN_USER_ID_ERROR" } | InvalidTOTPResult | LimitReachedResult>;
}

/** What every TOTP API handler is given. */
export interface APIOptions {
  recipeImplementation: RecipeInterface;
  config: TypeNormalisedInput;
  sessions: SessionService;
  /** MultiFactorAuth when it is in the recipe list: who may set up a factor, and the claim a code completes. */
  mfa: MultiFactorAuthService | undefined;
  /** The Session recipe's list of a user's sessions, to end the others when a device is verified. */
  sessionInventory: SessionInventory | undefined;
  req: BaseRequest;
  res: BaseResponse;
}

/** Input every TOTP API gets. */
interface APIInput {
  session: SessionContainerInterface;
  options: APIOptions;
  userContext: UserContext;
}

/** The TOTP HTTP APIs; set one to undefined to disable its route. */
export interface APIInterface {
  createDevicePOST:
    | undefined
    | ((
        input: APIInput & { deviceName?: string },
      ) => Promise<
        | { status: "OK"; deviceName: string; secret: string; qrCodeString: string }
        | { status: "DEVICE_ALREADY_EXISTS_ERROR" }
      >);
  listDevicesGET: undefined | ((input: APIInput) => Promise<{ status: "OK"; devices: TOTPDevice[] }>);
  removeDevicePOST:
    undefined | ((input: APIInput & { deviceName: string }) => Promise<{ status: "OK"; didDeviceExist: boolean }>);
  verifyDevicePOST:
    | undefined
    | ((
        input: APIInput & { deviceName: string; totp: string },
      ) => Promise<
        | { status: "OK"; wasAlreadyVerified: boolean }
        | { status: "UNKNOWN_DEVICE_ERROR" }
        | InvalidTOTPResult
        | LimitReachedResult
      >);
  verifyTOTPPOST:
    | undefined
    | ((
        input: APIInput & { totp: string },
      ) => Promise<{ status: "OK" } | { status: "UNKNOWN_USER_ID_ERROR" } | InvalidTOTPResult | LimitReachedResult>);
}
