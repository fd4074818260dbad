import { LatchkeyError } from "../../lib/error";

/** The types of error the emailpassword recipe raises, each with its payload. */
export interface EmailPasswordErrorPayloads {
  /** Input no user could have (a password over bcrypt's 72 bytes, an email that cannot be stored): a 400. */
  BAD_INPUT_ERROR: undefined;
}

/** One of the emailpassword recipe's error types. */
export type EmailPasswordErrorType = keyof EmailPasswordErrorPayloads;

/** An error the emailpassword recipe raised; `type` says which, and types `payload` (a discriminated union). */
export class EmailPasswordError<T extends EmailPasswordErrorType = EmailPasswordErrorType> extends LatchkeyError<
  T,
  EmailPasswordErrorPayloads[T]
> {
  /** A BAD_INPUT_ERROR (400) with a message meant for the API caller. */
  static badInput(message: string): EmailPasswordError<"BAD_INPUT_ERROR"> {
    return new EmailPasswordError("BAD_INPUT_ERROR", message, { fromRecipe: "emailpassword" });
  }
}

/** Every emailpassword error, narrowed by `type`. */
export type EmailPasswordErrorUnion = { [T in EmailPasswordErrorType]: EmailPasswordError<T> }[EmailPasswordErrorType];
