import { isStorableText } from "../../lib/db/text";

/** Whether a value can be a factor id: 1 to 64 characters of valid Unicode without NUL (what the table stores). */
export function isFactorId(value: unknown): value is string {
  return typeof value === "string" && value !== "" && value.length <= 64 && isStorableText(value);
}
