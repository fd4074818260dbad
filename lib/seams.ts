// The capability keys recipes provide and consume, and the types that cross between recipes. A recipe imports these,
// never another recipe's folder: see docs/ARCHITECTURE.md.
import { Capability } from "./capabilities";
import type { SessionClaim, SessionClaimValidator } from "./claims";
import type { DbTransaction } from "./db/database";
import type { BaseRequest, BaseResponse } from "./framework/request";
import type { JSONObject, JSONValue, UserContext } from "./types";

/** The tenant every user and session belongs to until multitenancy says otherwise. */
export const DEFAULT_TENANT_ID = "public";

/** SuperTokens' factor ids: what a login method proves, as MFA and `/loginmethods` name it. */
export const FactorIds = {
  EMAILPASSWORD: "emailpassword",
  THIRDPARTY: "thirdparty",
  OTP_EMAIL: "otp-email",
  OTP_PHONE: "otp-phone",
  LINK_EMAIL: "link-email",
  LINK_PHONE: "link-phone",
  TOTP: "totp",
} as const;

/** One way a user can sign in, as `user.loginMethods` lists it (SuperTokens' shape). */
export interface LoginMethod {
  /** The recipe that owns this login method. */
  recipeId: string;
  /** The user's id in that recipe (the same as the user's id until account linking). */
  recipeUserId: string;
  tenantIds: string[];
  email?: string;
  phoneNumber?: string;
  thirdParty?: { id: string; userId: string };
  /** True when the method's email (or phone number) is verified. */
  verified: boolean;
  /** Milliseconds since the epoch. */
  timeJoined: number;
}

/** What a login recipe reports of one of its users; the core fills in `verified` when the recipe leaves it out. */
export type LoginMethodRecord = Omit<LoginMethod, "verified"> & { verified?: boolean };

/** A login method recipe: it knows users, and which factors a sign-in with it proves. */
export interface LoginMethodProvider {
  /** The factors a sign-in through this recipe completes (see FactorIds). */
  readonly factorIds: readonly string[];
  /** The user's login method in this recipe, or undefined. */
  getLoginMethod(input: { userId: string; userContext: UserContext }): Promise<LoginMethodRecord | undefined>;
  /** Every login method of this recipe with this email in the tenant. */
  getLoginMethodsByEmail(input: {
    email: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<LoginMethodRecord[]>;
}

/** A recipe that keeps per-user rows: `Latchkey.deleteUser` removes them, every owner in one transaction. */
export interface UserDataOwner {
  deleteUserData(input: { userId: string; trx: DbTransaction; userContext: UserContext }): Promise<void>;
}

/** Claims a recipe adds to every new session, and validators every verified request must pass. */
export interface SessionClaimSource {
  getSessionClaims(): { claims: SessionClaim<JSONValue>[]; validators: SessionClaimValidator[] };
}

/** Knows whether an email is verified, and can mark one verified (a provider vouched for it). */
export interface EmailVerifier {
  isEmailVerified(input: {
    userId: string;
    email: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<boolean>;
  markEmailVerified(input: {
    userId: string;
    email: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<void>;
}

/** A verified session as every recipe sees it; the session recipe's SessionContainer implements it. */
export interface SessionContainerInterface<Payload extends JSONObject = JSONObject> {
  getUserId(): string;
  getHandle(): string;
  getTenantId(): string;
  getAccessTokenPayload(): Payload;
  getClaimValue<T extends JSONValue>(claim: SessionClaim<T>): T | undefined;
  setClaimValue<T extends JSONValue>(claim: SessionClaim<T>, value: T, userContext?: UserContext): Promise<void>;
  removeClaim<T extends JSONValue>(claim: SessionClaim<T>, userContext?: UserContext): Promise<void>;
  fetchAndSetClaim<T extends JSONValue>(claim: SessionClaim<T>, userContext?: UserContext): Promise<void>;
  assertClaims(validators: SessionClaimValidator[], userContext?: UserContext): Promise<void>;
  revokeSession(userContext?: UserContext): Promise<void>;
}

/** Options of verifying a request's session; `antiCsrfCheck` defaults to true except for GET, `sessionRequired` to true. */
export interface VerifySessionOptions {
  antiCsrfCheck?: boolean;
  sessionRequired?: boolean;
  /** Replaces the claim validators every recipe asks for (e.g. add a role check, or drop email verification). */
  overrideGlobalClaimValidators?: (
    globalValidators: SessionClaimValidator[],
    session: SessionContainerInterface,
    userContext: UserContext,
  ) => Promise<SessionClaimValidator[]> | SessionClaimValidator[];
}

/** What login and other recipes need of sessions: create one on a response, read the request's, revoke a user's. */
export interface SessionService {
  /** Creates a session through the Session recipe's (overridable) createNewSession and writes its tokens. */
  createNewSession(input: {
    req: BaseRequest;
    res: BaseResponse;
    userId: string;
    jwtPayload?: JSONObject;
    /** Today's SuperTokens name of `jwtPayload`; wins when both are given. */
    accessTokenPayload?: JSONObject;
    sessionData?: JSONObject;
    tenantId: string;
    userContext: UserContext;
  }): Promise<SessionContainerInterface>;
  /** The request's session (claims checked as `options` say); undefined only with `sessionRequired: false`. */
  getSession(input: {
    req: BaseRequest;
    res: BaseResponse;
    options: VerifySessionOptions;
    userContext: UserContext;
  }): Promise<SessionContainerInterface | undefined>;
  /** Revokes every session of the user; returns their handles. */
  revokeAllSessionsForUser(input: { userId: string; tenantId?: string; userContext: UserContext }): Promise<string[]>;
}

/** Login methods (users, getUser, `/loginmethods`, MFA's first factors). */
export const LoginMethods = new Capability<LoginMethodProvider>(
  "LoginMethods",
  "a login method recipe (EmailPassword, ThirdParty, ...) in recipeList",
);
/** Owners of per-user rows (deleteUser). */
export const UserDataOwners = new Capability<UserDataOwner>("UserDataOwners", "a recipe that keeps user data");
/** Claims added to every session and checked on every request. */
export const SessionClaimSources = new Capability<SessionClaimSource>(
  "SessionClaimSources",
  "a recipe that adds session claims",
);
/** Email verification state. */
export const EmailVerifiers = new Capability<EmailVerifier>(
  "EmailVerifiers",
  "the emailverification recipe: add EmailVerification.init() to recipeList",
);
/** Sessions, provided by the Session recipe. */
export const Sessions = new Capability<SessionService>(
  "Sessions",
  "the session recipe: add Session.init() to recipeList",
);

/**
 * A recipe that offers second factors (TOTP today; Passwordless's otp-email / otp-phone / link-email when it is in
 * the list): MultiFactorAuth asks every provider which factors a user has set up, for `/mfa/info` and the
 * requirements of the MFA claim.
 */
export interface SecondFactorProvider {
  /** The factors this recipe can complete (see FactorIds). */
  readonly factorIds: readonly string[];
  /** Those of `factorIds` the user has set up and could complete now (e.g. a verified TOTP device). */
  getFactorsSetUpForUser(input: { userId: string; tenantId: string; userContext: UserContext }): Promise<string[]>;
}

/** What a factor recipe needs of MultiFactorAuth; provided by the multifactorauth recipe. */
export interface MultiFactorAuthService {
  /** The factors a session may start with (`MultiFactorAuth.init({ firstFactors })`); undefined when not configured. */
  readonly firstFactors: readonly string[] | undefined;
  /**
   * Throws INVALID_CLAIMS (a 403) unless this session may set up `factorId` now: it has completed what is required of
   * it, or `factorId` is the one it still has to set up and no factor it has already set up is outstanding.
   */
  assertAllowedToSetupFactor(input: {
    session: SessionContainerInterface;
    factorId: string;
    userContext: UserContext;
  }): Promise<void>;
  /** Records `factorId` completed now in the session's MFA claim: the same session, a new access token. */
  markFactorAsCompleteInSession(input: {
    session: SessionContainerInterface;
    factorId: string;
    userContext: UserContext;
  }): Promise<void>;
  /** Throws INVALID_CLAIMS (a 403) unless the session has completed every factor required of it. */
  assertMFACompleted(input: { session: SessionContainerInterface; userContext: UserContext }): Promise<void>;
}

/** Second factors (TOTP, Passwordless's OTPs and links) for MultiFactorAuth. */
export const SecondFactors = new Capability<SecondFactorProvider>(
  "SecondFactors",
  "a recipe that offers second factors (e.g. TOTP.init()) in recipeList",
);
/** MultiFactorAuth, for factor recipes: whether a factor may be set up, and completing one in a session. */
export const MultiFactorAuthServices = new Capability<MultiFactorAuthService>(
  "MultiFactorAuthServices",
  "the multifactorauth recipe: add MultiFactorAuth.init() to recipeList",
);

// A login recipe whose sign-in can complete one of several factors (Passwordless: otp-email, link-email, ...) names
// the one it completed in the request's userContext before creating the session; a recipe with one factor need not.
const FIRST_FACTOR_KEY = "latchkey.completedFirstFactor";

/** Records in the request's userContext which factor this sign-in completed (read by MultiFactorAuth's claim). */
export function setCompletedFirstFactor(userContext: UserContext, factorId: string): void {
  userContext[FIRST_FACTOR_KEY] = factorId;
}

/** The factor this request's sign-in completed, if the login recipe named one. */
export function completedFirstFactor(userContext: UserContext): string | undefined {
  const value = userContext[FIRST_FACTOR_KEY];
  return typeof value === "string" ? value : undefined;
}

// ---- Multitenancy (issue #18): provided by the multitenancy recipe; every key below is optional to consumers. ----

/** A tenant's login settings as other recipes read them; `undefined` lists mean "not configured: the default". */
export interface TenantLoginConfig {
  tenantId: string;
  /** The factors a user may sign in with first in this tenant; undefined: every first factor the recipes offer. */
  firstFactors?: string[];
  /** Factors every user of this tenant must complete after the first (for MultiFactorAuth); undefined: none. */
  requiredSecondaryFactors?: string[];
}

/** One tenant's third-party provider as stored, its client secrets decrypted: ThirdParty validates and merges it. */
export type TenantProviderConfig = JSONObject & { thirdPartyId: string };

/** What the core and the login recipes need of tenants: which one a request is for, and its settings. */
export interface TenantService {
  /** The tenant a request is for: the path's segment (`public` without one), unless the app overrides it. */
  getTenantId(input: { tenantIdFromFrontend: string; req: BaseRequest; userContext: UserContext }): Promise<string>;
  /** The tenant's login settings, or undefined when no such tenant exists (`public` always exists). */
  getTenantLoginConfig(input: { tenantId: string; userContext: UserContext }): Promise<TenantLoginConfig | undefined>;
  /** The tenant's own third-party providers (secrets decrypted, never to be answered or logged); [] when none. */
  getThirdPartyProviderConfigs(input: { tenantId: string; userContext: UserContext }): Promise<TenantProviderConfig[]>;
}

/** Per-tenant cleanup when a tenant is deleted (the session recipe ends the tenant's sessions). */
export interface TenantDataOwner {
  deleteTenantData(input: { tenantId: string; userContext: UserContext }): Promise<void>;
}

/** What the multitenancy recipe needs of ThirdParty: check a provider config, list a tenant's providers. */
export interface ThirdPartyProviderCatalog {
  /** Throws a BAD_INPUT_ERROR naming the field when `config` is not a usable provider config. */
  validateProviderConfig(config: TenantProviderConfig): void;
  /** The providers (id, display name) a tenant's users can sign in with: static and stored configs merged. */
  listProviders(input: {
    tenantId: string;
    clientType?: string;
    userContext: UserContext;
  }): Promise<{ id: string; name?: string }[]>;
}

/**
 * Tenants, provided by the multitenancy recipe. MultiFactorAuth reads a tenant's `requiredSecondaryFactors` and
 * `firstFactors` here (`getTenantLoginConfig`); without the recipe every request is in `public` with the defaults.
 */
export const Tenants = new Capability<TenantService>(
  "Tenants",
  "the multitenancy recipe: add Multitenancy.init() to recipeList",
);
/** Recipes that keep per-tenant data to end when a tenant is deleted. */
export const TenantDataOwners = new Capability<TenantDataOwner>("TenantDataOwners", "a recipe with per-tenant data");
/** Third-party providers per tenant, provided by ThirdParty. */
export const ThirdPartyProviders = new Capability<ThirdPartyProviderCatalog>(
  "ThirdPartyProviders",
  "the thirdparty recipe: add ThirdParty.init() to recipeList",
);
/** What adding a login method to a tenant did, in SuperTokens' statuses (ALREADY_MEMBER: `wasAlreadyAssociated`). */
export type TenantMembershipOutcome =
  | "OK"
  | "ALREADY_MEMBER"
  | "EMAIL_ALREADY_EXISTS_ERROR"
  | "PHONE_NUMBER_ALREADY_EXISTS_ERROR"
  | "THIRD_PARTY_USER_ALREADY_EXISTS_ERROR";

/**
 * A login recipe's tenant memberships: it owns the lookups a sign-in in a tenant runs, so it adds a user to a tenant
 * (refusing, by its unique indexes, an email, phone number or provider identity another member of the tenant holds)
 * and removes one. Multitenancy's associateUserToTenant / disassociateUserFromTenant call every provider.
 */
export interface TenantMembershipProvider {
  /** Adds the recipe's user to the tenant; undefined when this recipe has no user with that id. */
  addUserToTenant(input: {
    tenantId: string;
    recipeUserId: string;
    userContext: UserContext;
  }): Promise<TenantMembershipOutcome | undefined>;
  /** Removes the recipe's user from the tenant; true when they were in it. */
  removeUserFromTenant(input: { tenantId: string; recipeUserId: string; userContext: UserContext }): Promise<boolean>;
}

/** Tenant memberships of login methods, provided by EmailPassword, ThirdParty and Passwordless. */
export const TenantMemberships = new Capability<TenantMembershipProvider>(
  "TenantMemberships",
  "a login method recipe (EmailPassword, ThirdParty, Passwordless) in recipeList",
);
// ---- end of Multitenancy (issue #18) ----
// ---------- Listing and administering users (Latchkey.getUsersNewestFirst/OldestFirst, the dashboard) ----------

/** Search terms of a user listing: a user matches when each field given matches one of its terms (a prefix). */
export interface UserSearch {
  /** Prefixes of the email (compared lower-cased). */
  email?: string[];
  /** Prefixes of the phone number (E.164, as stored). */
  phone?: string[];
  /** Prefixes of the third-party provider id ("google", "github", ...). */
  provider?: string[];
}

/** A position in the join order: listings continue strictly after (or before) it. */
export interface UserCursor {
  timeJoined: number;
  userId: string;
}

/** A login method recipe's users, page by page in (timeJoined, userId) order, by an indexed range (no OFFSET). */
export interface UserListSource {
  /** The recipe whose users these are (for `includeRecipeIds`). */
  readonly recipeId: string;
  /** Up to `limit` login methods after `after` in this order; none when the search names a field it lacks. */
  listLoginMethods(input: {
    order: "asc" | "desc";
    after?: UserCursor;
    limit: number;
    tenantId?: string;
    search?: UserSearch;
    userContext: UserContext;
  }): Promise<LoginMethodRecord[]>;
  /** How many users the recipe has (in `tenantId`, or in every tenant). */
  countUsers(input: { tenantId?: string; userContext: UserContext }): Promise<number>;
}

/** One session as an administrator sees it (no token, no payload). */
export interface SessionSummary {
  sessionHandle: string;
  tenantId: string;
  /** Milliseconds since the epoch. */
  timeCreated: number;
  /** When the refresh token expires, in milliseconds since the epoch. */
  expiry: number;
}

/** Sessions as an administrator needs them: a user's list, and revoking one. */
export interface SessionInventory {
  /** The user's live sessions, oldest first. */
  listSessionsOfUser(input: { userId: string; userContext: UserContext }): Promise<SessionSummary[]>;
  /** Revokes one session; false when there was none. */
  revokeSession(input: { sessionHandle: string; userContext: UserContext }): Promise<boolean>;
}

/** Roles and permissions as an administrator manages them (the userroles recipe's overridable functions). */
export interface RoleAdministration {
  getAllRoles(input: { userContext: UserContext }): Promise<string[]>;
  /** The role's permissions, or undefined when there is no such role. */
  getPermissionsForRole(input: { role: string; userContext: UserContext }): Promise<string[] | undefined>;
  createRoleOrAddPermissions(input: { role: string; permissions: string[]; userContext: UserContext }): Promise<void>;
  /** False when there was no such role. */
  deleteRole(input: { role: string; userContext: UserContext }): Promise<boolean>;
  getRolesForUser(input: { userId: string; tenantId: string; userContext: UserContext }): Promise<string[]>;
  /** False when the role does not exist. */
  addRoleToUser(input: { userId: string; role: string; tenantId: string; userContext: UserContext }): Promise<boolean>;
  /** False when the role does not exist. */
  removeRoleFromUser(input: {
    userId: string;
    role: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<boolean>;
}

/** A user's metadata as an administrator reads and replaces it (the usermetadata recipe's overridable functions). */
export interface MetadataAdministration {
  getMetadata(input: { userId: string; userContext: UserContext }): Promise<JSONObject>;
  /** Replaces the whole object. */
  setMetadata(input: { userId: string; metadata: JSONObject; userContext: UserContext }): Promise<JSONObject>;
}

/** Undoing a verification, which only an administrator does (EmailVerifiers marks verified). */
export interface EmailVerificationAdministration {
  unverifyEmail(input: { userId: string; email: string; tenantId: string; userContext: UserContext }): Promise<void>;
}

/** Users of login method recipes, listed in join order. */
export const UserListings = new Capability<UserListSource>(
  "UserListings",
  "a login method recipe (EmailPassword, ThirdParty, Passwordless) in recipeList",
);
/** Listing and revoking a user's sessions. */
export const SessionInventories = new Capability<SessionInventory>(
  "SessionInventories",
  "the session recipe: add Session.init() to recipeList",
);
/** Roles and permissions. */
export const RoleAdministrations = new Capability<RoleAdministration>(
  "RoleAdministrations",
  "the userroles recipe: add UserRoles.init() to recipeList",
);
/** User metadata. */
export const MetadataAdministrations = new Capability<MetadataAdministration>(
  "MetadataAdministrations",
  "the usermetadata recipe: add UserMetadata.init() to recipeList",
);
/** Unverifying an email. */
export const EmailVerificationAdministrations = new Capability<EmailVerificationAdministration>(
  "EmailVerificationAdministrations",
  "the emailverification recipe: add EmailVerification.init() to recipeList",
);
