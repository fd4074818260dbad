import { LatchkeyError } from "../../lib/error";
import type { JSONValue } from "../../lib/types";

/** One failed claim validator, as INVALID_CLAIMS answers list them. */
export interface ClaimValidationError {
  id: string;
  reason?: JSONValue;
}

/** The payload each session error type carries. */
export interface SessionErrorPayloads {
  /** `clearTokens` says whether the answer removes the client's tokens. */
  UNAUTHORISED: { clearTokens: boolean };
  TRY_REFRESH_TOKEN: undefined;
  /** The session was revoked: the handler is told whose, to alert them. */
  TOKEN_THEFT_DETECTED: { sessionHandle: string; userId: string };
  INVALID_CLAIMS: { claimValidationErrors: ClaimValidationError[] };
}

/** The stable `type` strings of the session recipe's errors. */
export type SessionErrorType = keyof SessionErrorPayloads;

// The id the core routes these errors back to this recipe by (its own id, inside its own folder).
const FROM_RECIPE = "session";

/**
 * An error the session recipe raises. `Session.Error.UNAUTHORISED` and friends are its types; `isErrorFromAuth`
 * (inherited) is true for every Latchkey error. Narrow a caught value with `SessionError.isSessionError(err)`,
 * then `err.type === "X"` types `err.payload`.
 */
export class SessionError<T extends SessionErrorType = SessionErrorType> extends LatchkeyError<
  T,
  SessionErrorPayloads[T]
> {
  static readonly UNAUTHORISED = "UNAUTHORISED";
  static readonly TRY_REFRESH_TOKEN = "TRY_REFRESH_TOKEN";
  static readonly TOKEN_THEFT_DETECTED = "TOKEN_THEFT_DETECTED";
  static readonly INVALID_CLAIMS = "INVALID_CLAIMS";

  /** Creates a session error of the given type with its payload. */
  constructor(type: T, message: string, payload: SessionErrorPayloads[T], cause?: unknown) {
    super(type, message, { payload, fromRecipe: FROM_RECIPE, cause });
  }

  /** True for an error of the session recipe; narrows to the discriminated union. */
  static isSessionError(err: unknown): err is AnySessionError {
    return err instanceof SessionError;
  }

  /**
   * The session error an error stands for: itself, or (for a plain LatchkeyError of a session type, as apps and
   * older code raise with `new Latchkey.Error("UNAUTHORISED", ...)`) an equivalent one with a well-formed payload.
   */
  static from(err: LatchkeyError): AnySessionError | undefined {
    if (SessionError.isSessionError(err)) return err;
    const payload: unknown = err.payload;
    const field = (name: string): unknown =>
      typeof payload === "object" && payload !== null ? Reflect.get(payload, name) : undefined;
    switch (err.type) {
      case "UNAUTHORISED":
        return unauthorised(err.message, field("clearTokens") !== false);
      case "TRY_REFRESH_TOKEN":
        return tryRefreshToken(err.message);
      case "TOKEN_THEFT_DETECTED":
        return tokenTheftDetected(err.message, String(field("sessionHandle") ?? ""), String(field("userId") ?? ""));
      case "INVALID_CLAIMS": {
        const list = Array.isArray(payload) ? payload : field("claimValidationErrors");
        return invalidClaims(Array.isArray(list) ? list.filter(isClaimValidationError) : []);
      }
      default:
        return undefined;
    }
  }
}

/** Any one session error, discriminated on `type`. */
export type AnySessionError = { [K in SessionErrorType]: SessionError<K> }[SessionErrorType];

/** UNAUTHORISED; `clearTokens` says whether the answer removes the client's tokens. */
export function unauthorised(message: string, clearTokens: boolean): SessionError<"UNAUTHORISED"> {
  return new SessionError("UNAUTHORISED", message, { clearTokens });
}

/** TRY_REFRESH_TOKEN: the access token is not (or no longer) valid; the client should refresh. */
export function tryRefreshToken(message: string): SessionError<"TRY_REFRESH_TOKEN"> {
  return new SessionError("TRY_REFRESH_TOKEN", message, undefined);
}

/** TOKEN_THEFT_DETECTED, raised after the session was revoked. */
export function tokenTheftDetected(
  message: string,
  sessionHandle: string,
  userId: string,
): SessionError<"TOKEN_THEFT_DETECTED"> {
  return new SessionError("TOKEN_THEFT_DETECTED", message, { sessionHandle, userId });
}

/** INVALID_CLAIMS listing every failed validator. */
export function invalidClaims(claimValidationErrors: ClaimValidationError[]): SessionError<"INVALID_CLAIMS"> {
  return new SessionError("INVALID_CLAIMS", "invalid claim", { claimValidationErrors });
}

function isClaimValidationError(value: unknown): value is ClaimValidationError {
  return typeof value === "object" && value !== null && "id" in value && typeof value.id === "string";
}
