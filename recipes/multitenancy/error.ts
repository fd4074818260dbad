import { LatchkeyError } from "../../lib/error";

/** The types of error the multitenancy recipe raises, each with its payload. */
export interface MultitenancyErrorPayloads {
  /** An argument that cannot be used (a tenant id outside the rules, a malformed provider config): a 400. */
  BAD_INPUT_ERROR: { field: string };
  /** The tenant named does not exist: a 400 on a route, thrown from a function. */
  TENANT_NOT_FOUND_ERROR: { tenantId: string };
}

/** One of the multitenancy recipe's error types. */
export type MultitenancyErrorType = keyof MultitenancyErrorPayloads;

/** An error the multitenancy recipe raised; `type` says which, and types `payload`. */
export class MultitenancyError<T extends MultitenancyErrorType = MultitenancyErrorType> extends LatchkeyError<
  T,
  MultitenancyErrorPayloads[T]
> {
  /** A BAD_INPUT_ERROR naming the argument that was refused. */
  static badInput(field: string, rule: string): MultitenancyError<"BAD_INPUT_ERROR"> {
    return new MultitenancyError("BAD_INPUT_ERROR", `${field} ${rule}`, {
      fromRecipe: "multitenancy",
      payload: { field },
    });
  }

  /** TENANT_NOT_FOUND_ERROR; the message names no tenant (a path segment is the caller's input, never echoed). */
  static tenantNotFound(tenantId: string): MultitenancyError<"TENANT_NOT_FOUND_ERROR"> {
    return new MultitenancyError("TENANT_NOT_FOUND_ERROR", "Tenant not found", {
      fromRecipe: "multitenancy",
      payload: { tenantId },
    });
  }
}

/** Every multitenancy error, narrowed by `type`. */
export type MultitenancyErrorUnion = { [T in MultitenancyErrorType]: MultitenancyError<T> }[MultitenancyErrorType];
