import { LatchkeyError } from "../../lib/error";

/** The types of error the MultiFactorAuth recipe raises, each with its payload. */
export interface MultiFactorAuthErrorPayloads {
  /** A call with a malformed argument (a factor id that is not one): a 400. */
  BAD_INPUT_ERROR: undefined;
}

/** One of the MultiFactorAuth recipe's error types. */
export type MultiFactorAuthErrorType = keyof MultiFactorAuthErrorPayloads;

/** An error the MultiFactorAuth recipe raised; `type` says which, and types `payload`. */
export class MultiFactorAuthError<T extends MultiFactorAuthErrorType = MultiFactorAuthErrorType> extends LatchkeyError<
  T,
  MultiFactorAuthErrorPayloads[T]
> {
  /** A BAD_INPUT_ERROR (400) with a message meant for the caller. */
  static badInput(message: string): MultiFactorAuthError<"BAD_INPUT_ERROR"> {
    return new MultiFactorAuthError("BAD_INPUT_ERROR", message, { fromRecipe: "multifactorauth" });
  }
}

/** Every MultiFactorAuth error, narrowed by `type`. */
export type MultiFactorAuthErrorUnion = {
  [T in MultiFactorAuthErrorType]: MultiFactorAuthError<T>;
}[MultiFactorAuthErrorType];
