import { configError } from "./error";

/** The `override` option every recipe accepts. */
export interface OverrideInput<Functions extends object, APIs extends object> {
  functions?: (originalImplementation: Functions) => Functions;
  apis?: (originalImplementation: APIs) => APIs;
}

/**
 * Builds a recipe's implementation and applies the user's override to it.
 *
 * `makeOriginal` receives `self`, which returns the final (overridden) object: the original implementation calls
 * its sibling functions through it, so overriding one function changes what the others see.
 */
export function buildImplementation<T extends object>(
  label: string,
  makeOriginal: (self: () => T) => T,
  override: ((originalImplementation: T) => T) | undefined,
  options: { allowDisabled: boolean },
): T {
  let final: T | undefined;
  const self = (): T => {
    if (final === undefined) {
      throw configError(label, "a function was called while the override was still being built");
    }
    return final;
  };
  const original = makeOriginal(self);
  if (override === undefined) {
    final = original;
    return final;
  }
  if (typeof override !== "function") {
    throw configError(label, "must be a function (originalImplementation) => implementation");
  }
  const result = override(original);
  if (typeof result !== "object" || result === null) {
    throw configError(label, "the override function must return an object (spread originalImplementation into it)");
  }
  for (const key of Object.keys(original)) {
    const value = (result as Record<string, unknown>)[key];
    if (typeof value === "function") continue;
    if (value === undefined && options.allowDisabled) continue;
    const expected = options.allowDisabled ? "a function or undefined" : "a function";
    throw configError(
      `${label}.${key}`,
      `must be ${expected}; did the override forget to spread originalImplementation?`,
    );
  }
  final = result;
  return final;
}
