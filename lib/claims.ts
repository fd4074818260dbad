import { configError } from "./error";
import { DEFAULT_TENANT_ID } from "./seams";
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

/**
 * How a claim's value is fetched for a user in the session's tenant (undefined: the claim does not apply to this
 * user). Claims whose value does not depend on the tenant leave the third argument out.
 */
export type FetchValue<T> = (
  userId: string,
  userContext: UserContext,
  tenantId: string,
) => Promise<T | undefined> | T | undefined;

/**
 * A named value kept in the access token payload as `{ v: value, t: fetched-at ms }` under its key, the format
 * SuperTokens' frontend SDKs read, so the frontend can check it too. Reading it needs no database call.
 */
export class SessionClaim<T extends JSONValue> {
  /**
   * A claim stored under `key`, whose value comes from `fetchValue`. Its validators take `defaultMaxAgeInSeconds`
   * when given no max age: a value older than that is fetched again (one fetchValue) before it is checked.
   */
  constructor(
    readonly key: string,
    readonly fetchValue: FetchValue<T>,
    readonly defaultMaxAgeInSeconds?: number,
  ) {}

  /** The payload entry for this user in the tenant: fetches the value (one call of fetchValue). */
  async build(
    userId: string,
    userContext: UserContext = {},
    tenantId: string = DEFAULT_TENANT_ID,
  ): Promise<JSONObject> {
    const value = await this.fetchValue(userId, userContext, tenantId);
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

/** A JSON primitive: what the built-in validators compare. */
type Primitive = string | number | boolean;

/** What a built-in validator checks the value against: data rather than a closure, so making a validator is cheap. */
type ValueTest =
  | { op: "hasValue" | "includes" | "excludes"; expected: Primitive }
  | { op: "includesAll" | "includesAny" | "excludesAll"; expected: Primitive[] };

/**
 * A validator of the built-in claims: a plain object (so `{ ...validator, id: "mine" }` still works) whose two
 * methods are shared functions reading its fields, not closures made per validator. verifySession routes build
 * their validators per request, so making one must cost no more than one object.
 */
interface BuiltInValidator extends SessionClaimValidator {
  readonly maxAgeInSeconds: number | undefined;
  readonly test: ValueTest;
  /** A false value older than this is fetched again too (EmailVerificationClaim's refetchTimeOnFalseInSeconds). */
  readonly refetchFalseAfterSeconds?: number;
}

// Older than maxAgeInSeconds (or never fetched): fetched again before validate(). Infinity never goes stale.
function isStale(fetchedAt: number | undefined, maxAgeInSeconds: number | undefined, now: number): boolean {
  return maxAgeInSeconds !== undefined && (fetchedAt === undefined || fetchedAt < now - maxAgeInSeconds * 1000);
}

function builtInShouldRefetch(this: BuiltInValidator, payload: JSONObject): boolean {
  const entry = payload[this.claim.key];
  if (!isEntry(entry) || entry.v === undefined) return true;
  const fetchedAt = typeof entry.t === "number" ? entry.t : 0;
  if (this.maxAgeInSeconds === undefined && this.refetchFalseAfterSeconds === undefined) return false;
  const now = Date.now();
  if (isStale(fetchedAt, this.maxAgeInSeconds, now)) return true;
  return entry.v === false && isStale(fetchedAt, this.refetchFalseAfterSeconds, now);
}

function builtInValidate(this: BuiltInValidator, payload: JSONObject): ClaimValidationResult {
  const entry = payload[this.claim.key];
  const present = isEntry(entry);
  if (this.maxAgeInSeconds !== undefined) {
    const fetchedAt = present && typeof entry.t === "number" ? entry.t : undefined;
    const now = Date.now();
    if (isStale(fetchedAt, this.maxAgeInSeconds, now)) {
      const ageInSeconds = fetchedAt === undefined ? null : Math.floor((now - fetchedAt) / 1000);
      return { isValid: false, reason: { message: "expired", ageInSeconds, maxAgeInSeconds: this.maxAgeInSeconds } };
    }
  }
  return checkValue(this.test, present ? (entry.v as JSONValue | undefined) : undefined);
}

// The reasons are SuperTokens'. A missing list fails every list check ("value does not exist"): "excludes" must not
// pass for a user whose roles were never fetched.
function checkValue(test: ValueTest, value: JSONValue | undefined): ClaimValidationResult {
  if (test.op === "hasValue") {
    return value === test.expected
      ? VALID
      : {
          isValid: false,
          reason: { message: "wrong value", expectedValue: test.expected, actualValue: value ?? null },
        };
  }
  const expectation = expectationOf(test);
  if (!Array.isArray(value)) return { isValid: false, reason: { message: "value does not exist", ...expectation } };
  return listHolds(test, value)
    ? VALID
    : { isValid: false, reason: { message: "wrong value", ...expectation, actualValue: value } };
}

const VALID: ClaimValidationResult = Object.freeze({ isValid: true });

function listHolds(test: ValueTest, list: JSONValue[]): boolean {
  switch (test.op) {
    case "includes":
      return list.includes(test.expected as Primitive);
    case "excludes":
      return !list.includes(test.expected as Primitive);
    case "includesAll":
      return (test.expected as Primitive[]).every((v) => list.includes(v));
    case "includesAny":
      return (test.expected as Primitive[]).some((v) => list.includes(v));
    case "excludesAll":
      return !(test.expected as Primitive[]).some((v) => list.includes(v));
    default:
      return false;
  }
}

function expectationOf(test: ValueTest): JSONObject {
  switch (test.op) {
    case "includes":
    case "includesAll":
      return { expectedToInclude: test.expected };
    case "includesAny":
      return { expectedToIncludeAtLeastOneOf: test.expected };
    default:
      return { expectedToNotInclude: test.expected };
  }
}

/** A built-in validator of `claim`: `maxAgeInSeconds` undefined takes the claim's default max age. */
function builtInValidator(
  claim: SessionClaim<JSONValue>,
  test: ValueTest,
  maxAgeInSeconds: number | undefined,
  id: string | undefined,
): BuiltInValidator {
  return {
    id: id ?? claim.key,
    claim,
    maxAgeInSeconds: maxAgeInSeconds ?? claim.defaultMaxAgeInSeconds,
    test,
    shouldRefetch: builtInShouldRefetch,
    validate: builtInValidate,
  };
}

/** A claim holding one primitive value (string, number or boolean). */
export class PrimitiveClaim<T extends string | number | boolean> extends SessionClaim<T> {
  readonly validators: PrimitiveValidators<T> = { hasValue: (...args) => this.hasValue(...args) };

  /** Valid when the value equals `expected` (SuperTokens' `validators.hasValue`). */
  protected hasValue(expected: T, maxAgeInSeconds?: number, id?: string): SessionClaimValidator {
    return builtInValidator(this.asAnyClaim(), { op: "hasValue", expected }, maxAgeInSeconds, id);
  }

  private asAnyClaim(): SessionClaim<JSONValue> {
    return this as unknown as SessionClaim<JSONValue>;
  }
}

/** The validators of a primitive claim, under SuperTokens' names. */
export interface PrimitiveValidators<T> {
  hasValue(expected: T, maxAgeInSeconds?: number, id?: string): SessionClaimValidator;
}

/** The validators of a boolean claim, under SuperTokens' names. */
export interface BooleanValidators extends PrimitiveValidators<boolean> {
  isTrue(maxAgeInSeconds?: number, id?: string): SessionClaimValidator;
  isFalse(maxAgeInSeconds?: number, id?: string): SessionClaimValidator;
}

/** A claim holding true or false. */
export class BooleanClaim extends PrimitiveClaim<boolean> {
  /** SuperTokens' names: `validators.isTrue()`, `validators.isFalse()`, `validators.hasValue(v)`. */
  override readonly validators: BooleanValidators = {
    hasValue: (...args) => this.hasValue(...args),
    /** Valid when the value is true. */
    isTrue: (maxAgeInSeconds, id) => this.hasValue(true, maxAgeInSeconds, id),
    /** Valid when the value is false. */
    isFalse: (maxAgeInSeconds, id) => this.hasValue(false, maxAgeInSeconds, id),
  };

  /** The earlier name of `validators.isTrue` / `validators.isFalse`, kept as an alias. */
  readonly booleanValidators: Pick<BooleanValidators, "isTrue" | "isFalse"> = {
    isTrue: (maxAgeInSeconds, id) => this.validators.isTrue(maxAgeInSeconds, id),
    isFalse: (maxAgeInSeconds, id) => this.validators.isFalse(maxAgeInSeconds, id),
  };
}

/** A claim holding a list of primitives (roles, permissions); validators under SuperTokens' names. */
export class PrimitiveArrayClaim<T extends string | number | boolean> extends SessionClaim<T[]> {
  // Each returns one plain object (builtInValidator): routes that build their validators per request pay no closures.
  readonly validators = {
    /** Valid when the list contains `expected`. */
    includes: (expected: T, maxAgeInSeconds?: number, id?: string): SessionClaimValidator =>
      builtInValidator(this.asAnyClaim(), { op: "includes", expected }, maxAgeInSeconds, id),
    /** Valid when the list does not contain `unwanted`. */
    excludes: (unwanted: T, maxAgeInSeconds?: number, id?: string): SessionClaimValidator =>
      builtInValidator(this.asAnyClaim(), { op: "excludes", expected: unwanted }, maxAgeInSeconds, id),
    /** Valid when the list contains every one of `expected`. */
    includesAll: (expected: T[], maxAgeInSeconds?: number, id?: string): SessionClaimValidator =>
      builtInValidator(this.asAnyClaim(), { op: "includesAll", expected }, maxAgeInSeconds, id),
    /** Valid when the list contains at least one of `expected`. */
    includesAny: (expected: T[], maxAgeInSeconds?: number, id?: string): SessionClaimValidator =>
      builtInValidator(this.asAnyClaim(), { op: "includesAny", expected }, maxAgeInSeconds, id),
    /** Valid when the list contains none of `unwanted`. */
    excludesAll: (unwanted: T[], maxAgeInSeconds?: number, id?: string): SessionClaimValidator =>
      builtInValidator(this.asAnyClaim(), { op: "excludesAll", expected: unwanted }, maxAgeInSeconds, id),
  };

  private asAnyClaim(): SessionClaim<JSONValue> {
    return this as unknown as SessionClaim<JSONValue>;
  }
}

/** The validator of a boolean claim that refetches a false value after `refetchTimeOnFalseInSeconds`. */
export function isTrueRefetchingFalse(
  claim: BooleanClaim,
  refetchTimeOnFalseInSeconds: number,
  maxAgeInSeconds?: number,
): SessionClaimValidator {
  const base = claim.validators.isTrue(maxAgeInSeconds) as BuiltInValidator;
  const refetchingFalse: BuiltInValidator = { ...base, refetchFalseAfterSeconds: refetchTimeOnFalseInSeconds };
  return refetchingFalse;
}

/** What a recipe contributes to every session: claims added at creation, and validators checked on every request. */
export interface SessionClaimProvider {
  getSessionClaims(): { claims: SessionClaim<JSONValue>[]; validators: SessionClaimValidator[] };
}

function isEntry(value: unknown): value is { v: unknown; t?: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "v" in value;
}

/** Whether `value` is a validator object (what `validators.isTrue()` returns), not a factory or anything else. */
export function isSessionClaimValidator(value: unknown): value is SessionClaimValidator {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<Record<keyof SessionClaimValidator, unknown>>;
  return (
    typeof v.id === "string" &&
    typeof v.shouldRefetch === "function" &&
    typeof v.validate === "function" &&
    v.claim instanceof SessionClaim
  );
}

/**
 * The list as validators, or INVALID_CONFIG naming the first entry that is not one (most often a factory passed
 * uncalled: `validators.isVerified` instead of `validators.isVerified()`), so a mistake fails closed and says why.
 */
export function assertValidatorList(where: string, list: unknown): SessionClaimValidator[] {
  if (!Array.isArray(list)) throw configError(where, "must be an array of claim validators");
  // A plain loop: this runs on every request whose route builds its validators per request.
  for (let i = 0; i < list.length; i++) {
    const entry: unknown = list[i];
    if (isSessionClaimValidator(entry)) continue;
    const hint =
      typeof entry === "function"
        ? "is a function, not a validator: call it, e.g. EmailVerificationClaim.validators.isVerified()"
        : "is not a claim validator (an object with id, claim, shouldRefetch and validate)";
    throw configError(`${where}[${i}]`, hint);
  }
  return list as SessionClaimValidator[];
}
