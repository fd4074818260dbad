import { LatchkeyError } from "../../lib/error";

/** The types of error the emailverification recipe raises, each with its payload. */
export interface EmailVerificationErrorPayloads {
  /** A request without the token, or with another method than "token": a 400. */
  BAD_INPUT_ERROR: undefined;
}

/** One of the emailverification recipe's error types. */
export type EmailVerificationErrorType = keyof EmailVerificationErrorPayloads;

/** An error the emailverification recipe raised; `type` says which, and types `payload` (a discriminated union). */
export class EmailVerificationError<
  T extends EmailVerificationErrorType = EmailVerificationErrorType,
> extends LatchkeyError<T, EmailVerificationErrorPayloads[T]> {
  /** A BAD_INPUT_ERROR (400) with a message meant for the API caller. */
  static badInput(message: string): EmailVerificationError<"BAD_INPUT_ERROR"> {
    return new EmailVerificationError("BAD_INPUT_ERROR", message, { fromRecipe: "emailverification" });
  }
}

/** Every emailverification error, narrowed by `type`. */
export type EmailVerificationErrorUnion = {
  [T in EmailVerificationErrorType]: EmailVerificationError<T>;
}[EmailVerificationErrorType];
