import { LatchkeyError } from "../../lib/error";

/** The types of error the TOTP recipe raises, each with its payload. */
export interface TOTPErrorPayloads {
  /** A request with a missing or malformed field: a 400. */
  BAD_INPUT_ERROR: undefined;
}

/** One of the TOTP recipe's error types. */
export type TOTPErrorType = keyof TOTPErrorPayloads;

/** An error the TOTP recipe raised; `type` says which, and types `payload`. */
export class TOTPError<T extends TOTPErrorType = TOTPErrorType> extends LatchkeyError<T, TOTPErrorPayloads[T]> {
  /** A BAD_INPUT_ERROR (400) with a message meant for the API caller. */
  static badInput(message: string): TOTPError<"BAD_INPUT_ERROR"> {
    return new TOTPError("BAD_INPUT_ERROR", message, { fromRecipe: "totp" });
  }
}

/** Every TOTP error, narrowed by `type`. */
export type TOTPErrorUnion = { [T in TOTPErrorType]: TOTPError<T> }[TOTPErrorType];
