import { type ClaimValidationResult, SessionClaim, type SessionClaimValidator } from "../../lib/claims";
import { LatchkeyError } from "../../lib/error";
import type { JSONObject, JSONValue, UserContext } from "../../lib/types";
import { nextUnsatisfiedFactors, type UnsatisfiedFactors } from "./requirements";
import type { MFAClaimValue, MFARequirementList } from "./types";

/** Computes the claim's value for a session that has none (a new one, or one from before MFA was added). */
export interface MFAClaimComputer {
  valueForSession(userId: string, tenantId: string, userContext: UserContext): Promise<MFAClaimValue>;
}

// The claim is one object shared by every Latchkey.init (tests re-init); the running recipe attaches itself here.
let computer: MFAClaimComputer | undefined;

// Values the claim fetched itself (fetchAndSetClaim, a missing claim): they know only the sign-in's factor, timed now.
const fetched = new WeakSet<MFAClaimValue>();

/** Called by the MultiFactorAuth recipe when it is built: the claim computes its values through it. */
export function attachClaimComputer(next: MFAClaimComputer): void {
  computer = next;
}

function isClaimValue(value: unknown): value is MFAClaimValue {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const { c, v } = value as { c?: unknown; v?: unknown };
  return (
    typeof v === "boolean" &&
    typeof c === "object" &&
    c !== null &&
    !Array.isArray(c) &&
    Object.values(c).every((t) => typeof t === "number")
  );
}

/**
 * The MFA claim, `st-mfa` in the access token: `{ c: { factorId: completed-at ms }, v: requirements met }`, the
 * shape SuperTokens' frontend SDK reads (no `t`: the value changes when a factor is completed, not on a schedule).
 */
export class MultiFactorAuthClaimClass extends SessionClaim<MFAClaimValue> {
  /** A claim under `key` (default `st-mfa`). */
  constructor(key = "st-mfa") {
    super(key, async (userId, userContext, tenantId) => {
      if (computer === undefined)
        throw new LatchkeyError("NOT_INITIALISED", "MultiFactorAuthClaim needs MultiFactorAuth.init() in recipeList");
      const value = await computer.valueForSession(userId, tenantId, userContext);
      fetched.add(value);
      return value;
    });
  }

  /** Sets the value; completed factors already in the payload are kept (a factor once completed stays completed). */
  override addToPayload(payload: JSONObject, value: MFAClaimValue): JSONObject {
    const previous = this.getValueFromPayload(payload);
    // A re-read proves no factor again: the times already in the session stand (else a step-up on the first factor
    // would pass after any fetchAndSetClaim). Only completing a factor (markFactorAsCompleteInSession) moves a time.
    const c = fetched.has(value) ? { ...value.c, ...previous?.c } : { ...previous?.c, ...value.c };
    const entry: { c: { [factorId: string]: number }; v: boolean } = { c, v: value.v };
    return { ...payload, [this.key]: entry };
  }

  /** The value in the payload, or undefined when it is missing or not of the claim's shape. */
  override getValueFromPayload(payload: JSONObject): MFAClaimValue | undefined {
    const entry: JSONValue | undefined = payload[this.key];
    return isClaimValue(entry) ? { c: { ...entry.c }, v: entry.v } : undefined;
  }

  /** The claim keeps no fetch time. */
  override getLastRefetchTime(): number | undefined {
    return undefined;
  }

  /** The first entry of `requirements` that `completed` does not meet (SuperTokens' name). */
  getNextSetOfUnsatisfiedFactors(completed: MFAClaimValue["c"], requirements: MFARequirementList): UnsatisfiedFactors {
    return nextUnsatisfiedFactors(completed, requirements);
  }

  readonly validators = {
    /** Valid when the session has met what is required of it (`v`); every verifySession checks this by default. */
    hasCompletedMFARequirementsForAuth: (id?: string): SessionClaimValidator =>
      this.mfaValidator(id, (value) =>
        value.v
          ? { isValid: true }
          : { isValid: false, reason: { message: "MFA requirement for auth is not satisfied" } },
      ),
    /** Valid when the completed factors meet `requirements` (e.g. `[FactorIds.TOTP]` for an API that always wants TOTP). */
    hasCompletedRequirementList: (requirements: MFARequirementList, id?: string): SessionClaimValidator =>
      this.mfaValidator(id, (value) => requirementResult(nextUnsatisfiedFactors(value.c, requirements))),
    /**
     * Step-up: valid when `factorId` was completed in this session within the last `maxAgeInSeconds`. A 403
     * INVALID_CLAIMS otherwise, whose reason names the factor, so the frontend can ask for it again.
     */
    hasCompletedFactorWithin: (factorId: string, maxAgeInSeconds: number, id?: string): SessionClaimValidator =>
      this.mfaValidator(id, (value): ClaimValidationResult => {
        const at = value.c[factorId];
        if (at === undefined)
          return {
            isValid: false,
            reason: { message: `Factor validation failed: ${factorId} not completed`, factorId },
          };
        const ageInSeconds = Math.floor((Date.now() - at) / 1000);
        return ageInSeconds <= maxAgeInSeconds
          ? { isValid: true }
          : {
              isValid: false,
              reason: { message: `${factorId} was completed too long ago`, factorId, ageInSeconds, maxAgeInSeconds },
            };
      }),
  };

  private mfaValidator(
    id: string | undefined,
    check: (value: MFAClaimValue) => ClaimValidationResult,
  ): SessionClaimValidator {
    return {
      id: id ?? this.key,
      claim: this as unknown as SessionClaim<JSONValue>,
      shouldRefetch: (payload) => this.getValueFromPayload(payload) === undefined,
      validate: (payload) => {
        const value = this.getValueFromPayload(payload);
        if (value === undefined)
          return { isValid: false, reason: { message: "MFA info not available in the session" } };
        return check(value);
      },
    };
  }
}

function requirementResult(next: UnsatisfiedFactors): ClaimValidationResult {
  if (next.factorIds.length === 0) return { isValid: true };
  if (next.type === "string")
    return {
      isValid: false,
      reason: {
        message: `Factor validation failed: ${next.factorIds[0]} not completed`,
        factorId: next.factorIds[0] ?? null,
      },
    };
  if (next.type === "oneOf")
    return {
      isValid: false,
      reason: {
        message: `None of these factors are complete in the session: ${next.factorIds.join(", ")}`,
        oneOf: next.factorIds,
      },
    };
  return {
    isValid: false,
    reason: {
      message: `Some of the factors are not complete in the session: ${next.factorIds.join(", ")}`,
      allOfInAnyOrder: next.factorIds,
    },
  };
}

/** The MFA claim every session gets when MultiFactorAuth is in the recipe list. */
export const MultiFactorAuthClaim = new MultiFactorAuthClaimClass();
