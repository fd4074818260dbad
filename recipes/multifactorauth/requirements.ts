import type { MFAClaimValue, MFARequirementList } from "./types";

/** The first unmet entry of a requirement list: its factors still to complete, and what kind of entry it is. */
export interface UnsatisfiedFactors {
  factorIds: string[];
  type: "string" | "oneOf" | "allOfInAnyOrder";
}

/**
 * Walks the list in order and returns the first entry the completed factors do not meet (empty when all are met).
 * A `oneOf` entry returns all its factors (any one would do); `allOfInAnyOrder` returns only the ones still missing.
 */
export function nextUnsatisfiedFactors(
  completed: MFAClaimValue["c"],
  requirements: MFARequirementList,
): UnsatisfiedFactors {
  const done = (id: string) => Object.prototype.hasOwnProperty.call(completed, id);
  for (const entry of requirements) {
    if (typeof entry === "string") {
      if (!done(entry)) return { factorIds: [entry], type: "string" };
    } else if ("oneOf" in entry) {
      // An empty oneOf asks for nothing (the default list when neither user nor tenant requires a factor).
      if (entry.oneOf.length > 0 && !entry.oneOf.some(done)) return { factorIds: unique(entry.oneOf), type: "oneOf" };
    } else {
      const missing = unique(entry.allOfInAnyOrder.filter((id) => !done(id)));
      if (missing.length > 0) return { factorIds: missing, type: "allOfInAnyOrder" };
    }
  }
  return { factorIds: [], type: "string" };
}

/** Whether a value is a requirement list (what an override of getMFARequirementsForAuth must return). */
export function isRequirementList(value: unknown): value is MFARequirementList {
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === "string");
  return (
    Array.isArray(value) &&
    value.every(
      (entry: unknown) =>
        typeof entry === "string" ||
        (typeof entry === "object" &&
          entry !== null &&
          (strings((entry as { oneOf?: unknown }).oneOf) ||
            strings((entry as { allOfInAnyOrder?: unknown }).allOfInAnyOrder))),
    )
  );
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
