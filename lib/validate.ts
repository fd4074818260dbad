import { configError } from "./error";

/** Throws INVALID_CONFIG unless `value` is a plain object. */
export function assertPlainObject(field: string, value: unknown): asserts value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw configError(field, "must be an object");
  }
}

/** Throws INVALID_CONFIG naming the first key of `value` that is not in `known` (catches typos in config). */
export function assertKnownKeys(field: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw configError(`${field}.${key}`, `is not an option; expected one of ${known.join(", ")}`);
    }
  }
}

/** Returns `value` if it is an integer in [min, max], else `fallback` when undefined; throws otherwise. */
export function optionalInteger(field: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw configError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Returns `value` if it is a boolean, `fallback` when undefined; throws otherwise. */
export function optionalBoolean(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw configError(field, "must be true or false");
  return value;
}

/** Returns `value` if it is a function or undefined; throws otherwise. */
export function optionalFunction<F>(field: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") throw configError(field, "must be a function");
  return value as F;
}
