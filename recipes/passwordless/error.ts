import { LatchkeyError } from "../../lib/error";

/** The types of error the passwordless recipe raises, each with its payload. */
export interface PasswordlessErrorPayloads {
  /** A request or call no flow could satisfy (a missing field, both an email and a phone, a bad config'd contact): a 400. */
  BAD_INPUT_ERROR: undefined;
}

/** One of the passwordless recipe's error types. */
export type PasswordlessErrorType = keyof PasswordlessErrorPayloads;

/** An error the passwordless recipe raised; `type` says which, and types `payload` (a discriminated union). */
export class PasswordlessError<T extends PasswordlessErrorType = PasswordlessErrorType> extends LatchkeyError<
  T,
  PasswordlessErrorPayloads[T]
> {
  /** A BAD_INPUT_ERROR (400) with a message meant for the API caller. */
  static badInput(message: string): PasswordlessError<"BAD_INPUT_ERROR"> {
    return new PasswordlessError("BAD_INPUT_ERROR", message, { fromRecipe: "passwordless" });
  }
}

/** Every passwordless error, narrowed by `type`. */
export type PasswordlessErrorUnion = { [T in PasswordlessErrorType]: PasswordlessError<T> }[PasswordlessErrorType];
