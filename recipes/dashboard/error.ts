import { LatchkeyError } from "../../lib/error";

/** The types of error the dashboard recipe raises, each with its payload. */
export interface DashboardErrorPayloads {
  /** A request field that is missing or not what the route takes (answered 400 BAD_INPUT_ERROR). */
  BAD_INPUT_ERROR: { field: string };
}

/** One of the dashboard recipe's error types. */
export type DashboardErrorType = keyof DashboardErrorPayloads;

/** An error the dashboard recipe raised; `type` says which, and types `payload` (a discriminated union). */
export class DashboardError<T extends DashboardErrorType = DashboardErrorType> extends LatchkeyError<
  T,
  DashboardErrorPayloads[T]
> {
  /** A BAD_INPUT_ERROR naming the field that was refused. */
  static badInput(field: string, rule: string): DashboardError<"BAD_INPUT_ERROR"> {
    return new DashboardError("BAD_INPUT_ERROR", `${field} ${rule}`, { fromRecipe: "dashboard", payload: { field } });
  }
}
