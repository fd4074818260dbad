import { LatchkeyError } from "../../lib/error";

/** The types of error the userroles recipe raises, each with its payload. */
export interface UserRolesErrorPayloads {
  /** A role, permission, user id or tenant id that cannot be stored (empty, too long, not a string): a 400. */
  BAD_INPUT_ERROR: { field: string };
}

/** One of the userroles recipe's error types. */
export type UserRolesErrorType = keyof UserRolesErrorPayloads;

/** An error the userroles recipe raised; `type` says which, and types `payload` (a discriminated union). */
export class UserRolesError<T extends UserRolesErrorType = UserRolesErrorType> extends LatchkeyError<
  T,
  UserRolesErrorPayloads[T]
> {
  /** A BAD_INPUT_ERROR naming the argument that was refused. */
  static badInput(field: string, rule: string): UserRolesError<"BAD_INPUT_ERROR"> {
    return new UserRolesError("BAD_INPUT_ERROR", `${field} ${rule}`, { fromRecipe: "userroles", payload: { field } });
  }
}

/** Every userroles error, narrowed by `type`. */
export type UserRolesErrorUnion = { [T in UserRolesErrorType]: UserRolesError<T> }[UserRolesErrorType];
