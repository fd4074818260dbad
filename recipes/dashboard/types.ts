import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import type { OverrideInput } from "../../lib/override";
import type { JSONObject, UserContext } from "../../lib/types";

/** The argument of `Dashboard.init()`: at least one key. */
export interface TypeInput {
  /** The key that may do everything, sent as `Authorization: Bearer <apiKey>`; at least 16 characters. */
  apiKey?: string;
  /** A key that may only read (every POST answers 403); at least 16 characters, not the same as `apiKey`. */
  readOnlyApiKey?: string;
  override?: OverrideInput<RecipeInterface, APIInterface>;
}

/** TypeInput checked; the keys kept only as sha256 digests. */
export interface TypeNormalisedInput {
  /** sha256 (hex) of each configured key, with what it may do. */
  keys: { digest: string; readOnly: boolean }[];
}

/** Who is calling the dashboard API and what they may do. */
export interface Access {
  /** How the audit log names them: "api-key:<first 8 hex of the key's sha256>" (never the key). */
  actor: string;
  readOnly: boolean;
}

/** One audit log row: who did what to whom, when. */
export interface AuditEntry {
  id: string;
  /** Milliseconds since the epoch. */
  time: number;
  actor: string;
  action: string;
  /** The user (or role) the action was on. */
  target: string | null;
  detail: JSONObject;
}

/** The overridable functions of the dashboard. */
export interface RecipeInterface {
  /** Who the request's `Authorization` header says is calling, or undefined (a 401). Keys compare in constant time. */
  getAccess(input: { authorization: string | undefined; userContext: UserContext }): Promise<Access | undefined>;
  /** Writes one row of the audit log. */
  recordAction(input: {
    actor: string;
    action: string;
    target: string | null;
    detail: JSONObject;
    userContext: UserContext;
  }): Promise<void>;
  /** The audit log, newest first, a page at a time. */
  listAuditLog(input: {
    limit: number;
    paginationToken?: string;
    userContext: UserContext;
  }): Promise<{ entries: AuditEntry[]; nextPaginationToken?: string }>;
}

/** What every dashboard API is given. */
export interface APIOptions {
  recipeImplementation: RecipeInterface;
  config: TypeNormalisedInput;
  /** The app's `apiBasePath`, under which the page lives. */
  apiBasePath: string;
  req: BaseRequest;
  res: BaseResponse;
}

/** The answer of a dashboard API: a JSON object whose `status` is "OK" or a stable error string. */
export type DashboardAnswer = { status: string } & JSONObject;

/** Common input of every JSON API: who calls (already checked), the options, the userContext. */
export interface APIInput {
  access: Access;
  options: APIOptions;
  userContext: UserContext;
}

/** The overridable HTTP APIs; set one to undefined to take its route away. */
export interface APIInterface {
  /** GET /dashboard: the page (no key needed: the page asks for one). */
  pageGET: ((input: { options: APIOptions; userContext: UserContext }) => Promise<void>) | undefined;
  infoGET: ((input: APIInput) => Promise<DashboardAnswer>) | undefined;
  usersGET:
    | ((
        input: APIInput & {
          order: "asc" | "desc";
          limit: number;
          paginationToken?: string;
          query?: { email?: string; phone?: string; provider?: string };
        },
      ) => Promise<DashboardAnswer>)
    | undefined;
  userCountGET: ((input: APIInput) => Promise<DashboardAnswer>) | undefined;
  userGET: ((input: APIInput & { userId: string }) => Promise<DashboardAnswer>) | undefined;
  userEmailVerifiedPOST:
    ((input: APIInput & { userId: string; email: string; verified: boolean }) => Promise<DashboardAnswer>) | undefined;
  userSessionRevokePOST:
    ((input: APIInput & { userId: string; sessionHandle: string }) => Promise<DashboardAnswer>) | undefined;
  userRoleAddPOST:
    ((input: APIInput & { userId: string; role: string; tenantId: string }) => Promise<DashboardAnswer>) | undefined;
  userRoleRemovePOST:
    ((input: APIInput & { userId: string; role: string; tenantId: string }) => Promise<DashboardAnswer>) | undefined;
  userMetadataPOST:
    ((input: APIInput & { userId: string; metadata: JSONObject }) => Promise<DashboardAnswer>) | undefined;
  userDeletePOST: ((input: APIInput & { userId: string }) => Promise<DashboardAnswer>) | undefined;
  rolesGET: ((input: APIInput) => Promise<DashboardAnswer>) | undefined;
  roleCreatePOST: ((input: APIInput & { role: string; permissions: string[] }) => Promise<DashboardAnswer>) | undefined;
  roleDeletePOST: ((input: APIInput & { role: string }) => Promise<DashboardAnswer>) | undefined;
  auditGET: ((input: APIInput & { limit: number; paginationToken?: string }) => Promise<DashboardAnswer>) | undefined;
}
