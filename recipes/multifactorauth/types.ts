import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import type { OverrideInput } from "../../lib/override";
import type { SessionContainerInterface, SessionService } from "../../lib/seams";
import type { JSONObject, UserContext } from "../../lib/types";
import type { User } from "../../lib/users";

/**
 * What a session must complete, SuperTokens' shape: each entry is a factor id, `{ oneOf }` (any one of them) or
 * `{ allOfInAnyOrder }` (every one of them); the entries are satisfied in order.
 */
export type MFARequirementList = (string | { oneOf: string[] } | { allOfInAnyOrder: string[] })[];

/**
 * The MFA claim's value in the access token under `st-mfa`: `c` maps each factor the session completed to when
 * (milliseconds since the epoch), `v` says whether the session has met what is required of it.
 */
export type MFAClaimValue = { c: { [factorId: string]: number }; v: boolean };

/** The argument of `MultiFactorAuth.init()`. */
export interface TypeInput {
  /**
   * The factors a session may start with (e.g. `[FactorIds.EMAILPASSWORD]`); a session whose sign-in proved another one must
   * complete one of these before it counts as signed in. Default: every login method in the recipe list.
   */
  firstFactors?: string[];
  override?: OverrideInput<RecipeInterface, APIInterface>;
}

/** TypeInput after validation. */
export interface TypeNormalisedInput {
  firstFactors: string[] | undefined;
}

/** What `getMFARequirementsForAuth` is given; the promises are fetched only when read. */
export interface MFARequirementsInput {
  userId: string;
  tenantId: string;
  accessTokenPayload: JSONObject;
  completedFactors: MFAClaimValue["c"];
  /** The session's user, assembled from every login method (undefined for a user no login method knows). */
  readonly user: Promise<User | undefined>;
  readonly factorsSetUpForUser: Promise<string[]>;
  readonly requiredSecondaryFactorsForUser: Promise<string[]>;
  readonly requiredSecondaryFactorsForTenant: Promise<string[]>;
  userContext: UserContext;
}

/** The MultiFactorAuth recipe's overridable functions; each takes one input object with `userContext`. */
export interface RecipeInterface {
  /**
   * What the session must complete. Default: one of the factors the user or the tenant requires (SuperTokens'
   * default). Override for "every enrolled factor", step-up policies, and so on.
   */
  getMFARequirementsForAuth(input: MFARequirementsInput): Promise<MFARequirementList> | MFARequirementList;
  /** The secondary factors the user has set up (asked of every recipe offering factors: TOTP, Passwordless). */
  getFactorsSetupForUser(input: { userId: string; tenantId: string; userContext: UserContext }): Promise<string[]>;
  /**
   * Throws INVALID_CLAIMS (a 403) unless the session may set up `factorId` now: it has met its requirements, or the
   * factor is in the next unmet group and no factor of that group is set up already.
   */
  assertAllowedToSetupFactorElseThrowInvalidClaimError(input: {
    session: SessionContainerInterface;
    factorId: string;
    readonly mfaRequirementsForAuth: Promise<MFARequirementList>;
    readonly factorsSetUpForUser: Promise<string[]>;
    userContext: UserContext;
  }): Promise<void>;
  /** Records the factor as completed now in the session's claim (the same session; a new access token). */
  markFactorAsCompleteInSession(input: {
    session: SessionContainerInterface;
    factorId: string;
    userContext: UserContext;
  }): Promise<void>;
  /** The secondary factors this user must complete (stored by this recipe; empty by default). */
  getRequiredSecondaryFactorsForUser(input: { userId: string; userContext: UserContext }): Promise<string[]>;
  /** Requires the factor of the user from their next sign-in on (idempotent). */
  addToRequiredSecondaryFactorsForUser(input: {
    userId: string;
    factorId: string;
    userContext: UserContext;
  }): Promise<void>;
  /** Stops requiring the factor of the user (idempotent). */
  removeFromRequiredSecondaryFactorsForUser(input: {
    userId: string;
    factorId: string;
    userContext: UserContext;
  }): Promise<void>;
}

/** What the MFA API handler is given. */
export interface APIOptions {
  recipeImplementation: RecipeInterface;
  config: TypeNormalisedInput;
  sessions: SessionService;
  /** Every secondary factor a recipe of the list offers. */
  availableSecondaryFactors: () => string[];
  /** The user with every login method (emails and phone numbers for the factor chooser). */
  getUser: (userId: string, userContext: UserContext) => Promise<User | undefined>;
  /** The session's MFA state, updated in the session when it changed. */
  refreshSessionMFA: (session: SessionContainerInterface, userContext: UserContext) => Promise<SessionMFAInfo>;
  req: BaseRequest;
  res: BaseResponse;
}

/** The session's MFA state: what it completed, what it must complete, and whether it has. */
export interface SessionMFAInfo {
  completedFactors: MFAClaimValue["c"];
  mfaRequirementsForAuth: MFARequirementList;
  isMFARequirementsForAuthSatisfied: boolean;
}

/** The answer of `PUT /mfa/info` (what the frontend SDK's factor chooser reads). */
export interface MFAInfoResponse {
  status: "OK";
  factors: { next: string[]; alreadySetup: string[]; allowedToSetup: string[] };
  emails: { [factorId: string]: string[] };
  phoneNumbers: { [factorId: string]: string[] };
}

/** The MultiFactorAuth HTTP API; set it to undefined to disable the route. */
export interface APIInterface {
  resyncSessionAndFetchMFAInfoPUT:
    | undefined
    | ((input: {
        session: SessionContainerInterface;
        options: APIOptions;
        userContext: UserContext;
      }) => Promise<MFAInfoResponse>);
}
