import { LatchkeyError } from "../../lib/error";

/** The payload of each ThirdParty error type: what the frontend is told. */
export interface ThirdPartyErrorPayloads {
  /** The provider could not be reached, timed out, or answered something unusable: GENERAL_ERROR to the frontend. */
  THIRD_PARTY_PROVIDER_ERROR: { message: string };
  /** The provider's answer was refused (bad ID token, code rejected): SIGN_IN_UP_NOT_ALLOWED to the frontend. */
  THIRD_PARTY_SIGN_IN_REFUSED: { reason: string };
}

/** The stable `type` strings of ThirdParty's errors. */
export type ThirdPartyErrorType = keyof ThirdPartyErrorPayloads;

/** An error the thirdparty recipe raises; `err.type` narrows `err.payload` (see AnyThirdPartyError). */
export class ThirdPartyError<Type extends ThirdPartyErrorType = ThirdPartyErrorType> extends LatchkeyError<
  Type,
  ThirdPartyErrorPayloads[Type]
> {
  static readonly PROVIDER_ERROR = "THIRD_PARTY_PROVIDER_ERROR";
  static readonly SIGN_IN_REFUSED = "THIRD_PARTY_SIGN_IN_REFUSED";

  /** Creates a ThirdParty error; owned by the thirdparty recipe, which turns it into its frontend answer. */
  constructor(type: Type, message: string, payload: ThirdPartyErrorPayloads[Type], cause?: unknown) {
    super(type, message, { payload, fromRecipe: "thirdparty", cause });
  }

  /** True when `err` is one of ThirdParty's errors (from any copy of the package), typed as the union. */
  static isThirdPartyError(err: unknown): err is AnyThirdPartyError {
    return (
      LatchkeyError.isErrorFromAuth(err) &&
      (err.type === ThirdPartyError.PROVIDER_ERROR || err.type === ThirdPartyError.SIGN_IN_REFUSED)
    );
  }
}

/** Every ThirdParty error as a discriminated union: `if (err.type === "THIRD_PARTY_SIGN_IN_REFUSED") err.payload.reason`. */
export type AnyThirdPartyError = { [Type in ThirdPartyErrorType]: ThirdPartyError<Type> }[ThirdPartyErrorType];

/** A provider failure; the message is shown to the user, so it names the problem, never a token. */
export function providerError(message: string, cause?: unknown): ThirdPartyError<"THIRD_PARTY_PROVIDER_ERROR"> {
  return new ThirdPartyError("THIRD_PARTY_PROVIDER_ERROR", message, { message }, cause);
}

/** A refused sign-in; `reason` says why without echoing what the provider sent. */
export function signInRefused(reason: string): ThirdPartyError<"THIRD_PARTY_SIGN_IN_REFUSED"> {
  return new ThirdPartyError("THIRD_PARTY_SIGN_IN_REFUSED", reason, { reason });
}

/** The frontend-driver answer for a provider failure or refused sign-in; undefined for any other error. */
export function providerErrorAnswer(
  err: unknown,
): { status: "GENERAL_ERROR"; message: string } | { status: "SIGN_IN_UP_NOT_ALLOWED"; reason: string } | undefined {
  if (!ThirdPartyError.isThirdPartyError(err)) return undefined;
  if (err.type === "THIRD_PARTY_PROVIDER_ERROR") return { status: "GENERAL_ERROR", message: err.payload.message };
  return { status: "SIGN_IN_UP_NOT_ALLOWED", reason: err.payload.reason };
}
