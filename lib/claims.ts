import type { JSONObject, JSONValue, UserContext } from "./types";

/** What a validator says about a payload. */
export type ClaimValidationResult = { isValid: true } | { isValid: false; reason: JSONValue };

/** Checks one claim in an access token payload; may ask for a fresh value first. */
export interface SessionClaimValidator {
  id: string;
  claim: SessionClaim<JSONValue>;
  /** True when the value in the payload is missing or too old: it is fetched again before validate(). */
  shouldRefetch(payload: JSONObject, userContext: UserContext): boolean;
  validate(payload: JSONObject, userContext: UserContext): Promise<ClaimValidationResult> | ClaimValidationResult;
}

/** How a claim's value is fetched for a user (undefined: the claim does not apply to this user). */
export type FetchValue<T> = (userId: string, userContext: UserContext) => Promise<T | undefined> | T | undefined;

/**
 * A named value kept in the access token payload as `{ v: value, t: fetched-at ms }` under its key, the format
 * SuperTokens' frontend SDKs read, so the frontend can check it too. Reading it needs no database call.
 */
export class SessionClaim<T extends JSONValue> {
  /** A claim stored under `key`, whose value comes from `fetchValue`. */
  constructor(
    readonly key: string,
    readonly fetchValue: FetchValue<T>,
  ) {}

  /** The payload entry for this user: fetches the value (one call of fetchValue). */
  async build(userId: string, userContext: UserContext = {}): Promise<JSONObject> {
    const value = await this.fetchValue(userId, userContext);
    return value === undefined ? {} : this.addToPayload({}, value);
  }

  /** A copy of the payload with this claim set to `value`. */
  addToPayload(payload: JSONObject, value: T): JSONObject {
    return { ...payload, [this.key]: { v: value, t: Date.now() } };
  }

  /** A copy of the payload without this claim. */
  removeFromPayload(payload: JSONObject): JSONObject {
    const { [this.key]: _removed, ...rest } = payload;
    return rest;
  }

  /** The claim's value in the payload, if any. */
  getValueFromPayload(payload: JSONObject): T | undefined {
    const entry = payload[this.key];
    return isEntry(entry) ? (entry.v as T) : undefined;
  }

  /** When the value in the payload was fetched (ms), if it is there. */
  getLastRefetchTime(payload: JSONObject): number | undefined {
    const entry = payload[this.key];
    return isEntry(entry) && typeof entry.t === "number" ? entry.t : undefined;
  }

  /** A validator built from a predicate on the value; refetches when the value is missing or older than maxAge. */
  protected validator(
    id: string,
    maxAgeInSeconds: number | undefined,
    check: (value: T | undefined) => ClaimValidationResult,
    shouldRefetchValue: (value: T | undefined, fetchedAt: number) => boolean = () => false,
  ): SessionClaimValidator {
    return {
      id,
      claim: this as unknown as SessionClaim<JSONValue>,
      shouldRefetch: (payload) => {
        const value = this.getValueFromPayload(payload);
        const fetchedAt = this.getLastRefetchTime(payload) ?? 0;
        if (value === undefined) return true;
        if (maxAgeInSeconds !== undefined && fetchedAt < Date.now() - maxAgeInSeconds * 1000) return true;
        return shouldRefetchValue(value, fetchedAt);
      },
      validate: (payload) => {
        const fetchedAt = this.getLastRefetchTime(payload);
        if (
          maxAgeInSeconds !== undefined &&
          (fetchedAt === undefined || fetchedAt < Date.now() - maxAgeInSeconds * 1000)
        ) {
          return {
            isValid: false,
            reason: {
              message: "expired",
              ageInSeconds: fetchedAt === undefined ? null : Math.floor((Date.now() - fetchedAt) / 1000),
              maxAgeInSeconds,
            },
          };
        }
        return check(this.getValueFromPayload(payload));
      },
    };
  }
}

/** A claim holding one primitive value (string, number or boolean). */
export class PrimitiveClaim<T extends string | number | boolean> extends SessionClaim<T> {
  readonly validators = {
    /** Valid when the value equals `expected`. */
    hasValue: (expected: T, maxAgeInSeconds?: number, id?: string): SessionClaimValidator =>
      this.validator(id ?? this.key, maxAgeInSeconds, (value) =>
        value === expected
          ? { isValid: true }
          : { isValid: false, reason: { message: "wrong value", expectedValue: expected, actualValue: value ?? null } },
      ),
  };
}

/** A claim holding true or false. */
export class BooleanClaim extends PrimitiveClaim<boolean> {
  readonly booleanValidators = {
    /** Valid when the value is true. */
    isTrue: (maxAgeInSeconds?: number, id?: string): SessionClaimValidator =>
      this.validators.hasValue(true, maxAgeInSeconds, id),
    /** Valid when the value is false. */
    isFalse: (maxAgeInSeconds?: number, id?: string): SessionClaimValidator =>
      this.validators.hasValue(false, maxAgeInSeconds, id),
  };
}

/** A claim holding a list of primitives (roles, permissions). */
export class PrimitiveArrayClaim<T extends string | number | boolean> extends SessionClaim<T[]> {
  readonly validators = {
    /** Valid when the list contains `expected`. */
    includes: (expected: T, maxAgeInSeconds?: number, id?: string): SessionClaimValidator =>
      this.validator(id ?? this.key, maxAgeInSeconds, (value) =>
        value?.includes(expected) === true
          ? { isValid: true }
          : {
              isValid: false,
              reason: { message: "wrong value", expectedToInclude: expected, actualValue: value ?? null },
            },
      ),
    /** Valid when the list does not contain `unwanted`. */
    excludes: (unwanted: T, maxAgeInSeconds?: number, id?: string): SessionClaimValidator =>
      this.validator(id ?? this.key, maxAgeInSeconds, (value) =>
        value !== undefined && !value.includes(unwanted)
          ? { isValid: true }
          : {
              isValid: false,
              reason: { message: "wrong value", expectedToNotInclude: unwanted, actualValue: value ?? null },
            },
      ),
  };
}

/** The validator of a boolean claim that refetches a false value after `refetchTimeOnFalseInSeconds`. */
export function isTrueRefetchingFalse(
  claim: BooleanClaim,
  refetchTimeOnFalseInSeconds: number,
  maxAgeInSeconds?: number,
): SessionClaimValidator {
  const base = claim.booleanValidators.isTrue(maxAgeInSeconds);
  return {
    ...base,
    shouldRefetch: (payload, userContext) => {
      if (base.shouldRefetch(payload, userContext)) return true;
      const fetchedAt = claim.getLastRefetchTime(payload) ?? 0;
      return (
        claim.getValueFromPayload(payload) === false && fetchedAt < Date.now() - refetchTimeOnFalseInSeconds * 1000
      );
    },
  };
}

/** What a recipe contributes to every session: claims added at creation, and validators checked on every request. */
export interface SessionClaimProvider {
  getSessionClaims(): { claims: SessionClaim<JSONValue>[]; validators: SessionClaimValidator[] };
}

function isEntry(value: unknown): value is { v: unknown; t?: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "v" in value;
}
