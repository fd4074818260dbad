import { LatchkeyError } from "../../../lib/error";

/** The provider could not be reached, timed out, or answered something unusable: GENERAL_ERROR to the frontend. */
export const PROVIDER_ERROR = "THIRD_PARTY_PROVIDER_ERROR";
/** The provider's answer was refused (bad ID token, code rejected): SIGN_IN_UP_NOT_ALLOWED to the frontend. */
export const SIGN_IN_REFUSED = "THIRD_PARTY_SIGN_IN_REFUSED";

/** A provider failure; the message is shown to the user, so it names the problem, never a token. */
export function providerError(message: string, cause?: unknown): LatchkeyError {
  return new LatchkeyError(PROVIDER_ERROR, message, { fromRecipe: "thirdparty", cause });
}

/** A refused sign-in; `reason` says why without echoing what the provider sent. */
export function signInRefused(reason: string): LatchkeyError {
  return new LatchkeyError(SIGN_IN_REFUSED, reason, { fromRecipe: "thirdparty" });
}

/** The frontend-driver answer for a provider failure or refused sign-in; undefined for any other error. */
export function providerErrorAnswer(err: LatchkeyError): { status: "GENERAL_ERROR"; message: string } | { status: "SIGN_IN_UP_NOT_ALLOWED"; reason: string } | undefined {
  if (err.type === PROVIDER_ERROR) return { status: "GENERAL_ERROR", message: err.message };
  if (err.type === SIGN_IN_REFUSED) return { status: "SIGN_IN_UP_NOT_ALLOWED", reason: err.message };
  return undefined;
}
