import { LatchkeyError } from "../../lib/error";

/** The types of error the usermetadata recipe raises, each with its payload. */
export interface UserMetadataErrorPayloads {
  /** A user id or an update that is not what the function takes (the update must be a JSON object). */
  BAD_INPUT_ERROR: { field: string };
  /** The merged metadata would be larger than `maxMetadataBytes`; nothing was written. */
  METADATA_TOO_LARGE_ERROR: { sizeInBytes: number; maxMetadataBytes: number };
}

/** One of the usermetadata recipe's error types. */
export type UserMetadataErrorType = keyof UserMetadataErrorPayloads;

/** An error the usermetadata recipe raised; `type` says which, and types `payload` (a discriminated union). */
export class UserMetadataError<T extends UserMetadataErrorType = UserMetadataErrorType> extends LatchkeyError<
  T,
  UserMetadataErrorPayloads[T]
> {
  /** A BAD_INPUT_ERROR naming the argument that was refused. */
  static badInput(field: string, rule: string): UserMetadataError<"BAD_INPUT_ERROR"> {
    return new UserMetadataError("BAD_INPUT_ERROR", `${field} ${rule}`, {
      fromRecipe: "usermetadata",
      payload: { field },
    });
  }

  /** The metadata would outgrow the configured limit. */
  static tooLarge(sizeInBytes: number, maxMetadataBytes: number): UserMetadataError<"METADATA_TOO_LARGE_ERROR"> {
    return new UserMetadataError(
      "METADATA_TOO_LARGE_ERROR",
      `the user's metadata would be ${sizeInBytes} bytes of JSON, more than the ${maxMetadataBytes} allowed`,
      { fromRecipe: "usermetadata", payload: { sizeInBytes, maxMetadataBytes } },
    );
  }
}

/** Every usermetadata error, narrowed by `type`. */
export type UserMetadataErrorUnion = { [T in UserMetadataErrorType]: UserMetadataError<T> }[UserMetadataErrorType];
