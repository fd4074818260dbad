// One handler per dashboard route: check the key, parse and validate the request, call the API implementation, answer.
import { LatchkeyError } from "../../../lib/error";
import { isStorableText } from "../../../lib/db/text";
import { isTenantId } from "../../../lib/tenant";
import type { JSONObject, UserContext } from "../../../lib/types";
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from "../../../lib/userListing";
import { DashboardError } from "../error";
import type { Access, APIInput, APIInterface, APIOptions, DashboardAnswer } from "../types";

/** One route's handler. */
export type Handler = (api: APIInterface, options: APIOptions, userContext: UserContext) => Promise<boolean>;

// What each error status means over HTTP; anything else that is not OK is a 400.
const HTTP_STATUS: Record<string, number> = {
  OK: 200,
  UNKNOWN_USER_ERROR: 404,
  UNKNOWN_ROLE_ERROR: 404,
  UNKNOWN_SESSION_ERROR: 404,
  FEATURE_NOT_ENABLED_ERROR: 404,
};

// Longest id, role, email or permission accepted (the columns that hold them are no longer).
const MAX_TEXT = 255;
const MAX_PERMISSIONS = 100;

/** GET /dashboard: the page itself; the key is asked for by the page. */
export const page: Handler = async (api, options, userContext) => {
  if (api.pageGET === undefined) return false;
  await api.pageGET({ options, userContext });
  return true;
};

/** A JSON API route: 401 without a right key, 403 for a read-only key on a change, 400 for bad input. */
function jsonRoute(
  name: keyof APIInterface,
  writes: boolean,
  call: (api: APIInterface, input: APIInput, read: Reader) => Promise<DashboardAnswer> | undefined,
): Handler {
  return async (api, options, userContext) => {
    if (api[name] === undefined) return false;
    const { res, req } = options;
    res.setHeader("cache-control", "no-store");
    const access: Access | undefined = await options.recipeImplementation.getAccess({
      authorization: req.getHeader("authorization"),
      userContext,
    });
    if (access === undefined) {
      res.setHeader("www-authenticate", 'Bearer realm="latchkey-dashboard"');
      res.setStatus(401);
      res.sendJSON({ status: "UNAUTHORISED", message: "send a dashboard API key as Authorization: Bearer <key>" });
      return true;
    }
    if (writes && access.readOnly) {
      res.setStatus(403);
      res.sendJSON({ status: "READ_ONLY_KEY_ERROR", message: "this key may only read" });
      return true;
    }
    let answer: DashboardAnswer | undefined;
    try {
      const read = await reader(options, writes);
      answer = await call(api, { access, options, userContext }, read);
    } catch (err) {
      // Bad input, or another recipe's own refusal (metadata too large): the caller's fault, said by its stable type.
      if (LatchkeyError.isErrorFromAuth(err) && err.type !== "GENERAL_ERROR" && err.type !== "NOT_INITIALISED") {
        res.setStatus(400);
        res.sendJSON({ status: err.type, message: err.message });
        return true;
      }
      throw err;
    }
    if (answer === undefined) return false;
    res.setStatus(HTTP_STATUS[answer.status] ?? 400);
    res.sendJSON(answer);
    return true;
  };
}

/** Reads named fields of a request (query for GET, JSON body for POST), each checked. */
interface Reader {
  text(name: string): string;
  optionalText(name: string): string | undefined;
  tenant(name: string): string;
  bool(name: string): boolean;
  limit(): number;
  object(name: string): JSONObject;
  texts(name: string): string[];
}

async function reader(options: APIOptions, fromBody: boolean): Promise<Reader> {
  // A body that is not a JSON object is the core's BAD_INPUT_ERROR, answered 400 like the dashboard's own.
  const body: Record<string, unknown> = fromBody ? await options.req.getJSONBody() : {};
  const raw = (name: string): unknown => (fromBody ? body[name] : options.req.getQuery(name));
  const optionalText = (name: string): string | undefined => {
    const value = raw(name);
    if (value === undefined || value === "") return undefined;
    if (typeof value !== "string" || value.length > MAX_TEXT || !isStorableText(value)) {
      throw DashboardError.badInput(name, `must be a string of at most ${MAX_TEXT} characters`);
    }
    return value;
  };
  const text = (name: string): string => {
    const value = optionalText(name);
    if (value === undefined) throw DashboardError.badInput(name, `is required`);
    return value;
  };
  return {
    text,
    optionalText,
    tenant: (name) => {
      const value = optionalText(name) ?? "public";
      if (!isTenantId(value)) throw DashboardError.badInput(name, `is not a tenant id`);
      return value;
    },
    bool: (name) => {
      const value = raw(name);
      if (typeof value !== "boolean") throw DashboardError.badInput(name, `must be true or false`);
      return value;
    },
    limit: () => {
      const value = optionalText("limit");
      if (value === undefined) return DEFAULT_PAGE_LIMIT;
      const n = /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
      if (!(n >= 1 && n <= MAX_PAGE_LIMIT))
        throw DashboardError.badInput("limit", `must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
      return n;
    },
    object: (name) => {
      const value = raw(name);
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw DashboardError.badInput(name, `must be a JSON object`);
      }
      return value as JSONObject;
    },
    texts: (name) => {
      const value = raw(name) ?? [];
      if (
        !Array.isArray(value) ||
        value.length > MAX_PERMISSIONS ||
        !value.every((v) => typeof v === "string" && v !== "" && v.length <= MAX_TEXT && isStorableText(v))
      ) {
        throw DashboardError.badInput(name, `must be a list of at most ${MAX_PERMISSIONS} non-empty strings`);
      }
      return value as string[];
    },
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** GET /dashboard/api/info: what the key may do and which recipes are listed (the page's login check). */
export const info = jsonRoute("infoGET", false, (api, input) => api.infoGET?.(input));

/** GET /dashboard/api/users?order=&limit=&paginationToken=&email=&phone=&provider= */
export const users = jsonRoute("usersGET", false, (api, input, read) => {
  const order = read.optionalText("order") ?? "desc";
  if (order !== "asc" && order !== "desc") throw DashboardError.badInput("order", "must be asc or desc");
  const query = {
    ...optional("email", read.optionalText("email")),
    ...optional("phone", read.optionalText("phone")),
    ...optional("provider", read.optionalText("provider")),
  };
  return api.usersGET?.({
    ...input,
    order,
    limit: read.limit(),
    ...optional("paginationToken", read.optionalText("paginationToken")),
    ...(Object.keys(query).length === 0 ? {} : { query }),
  });
});

/** GET /dashboard/api/users/count */
export const userCount = jsonRoute("userCountGET", false, (api, input) => api.userCountGET?.(input));

/** GET /dashboard/api/user?userId= */
export const user = jsonRoute("userGET", false, (api, input, read) =>
  api.userGET?.({ ...input, userId: read.text("userId") }),
);

/** POST /dashboard/api/user/email/verified { userId, email, verified } */
export const userEmailVerified = jsonRoute("userEmailVerifiedPOST", true, (api, input, read) =>
  api.userEmailVerifiedPOST?.({
    ...input,
    userId: read.text("userId"),
    email: read.text("email"),
    verified: read.bool("verified"),
  }),
);

/** POST /dashboard/api/user/session/revoke { userId, sessionHandle } */
export const userSessionRevoke = jsonRoute("userSessionRevokePOST", true, (api, input, read) =>
  api.userSessionRevokePOST?.({ ...input, userId: read.text("userId"), sessionHandle: read.text("sessionHandle") }),
);

/** POST /dashboard/api/user/role/add { userId, role, tenantId? } */
export const userRoleAdd = jsonRoute("userRoleAddPOST", true, (api, input, read) =>
  api.userRoleAddPOST?.({
    ...input,
    userId: read.text("userId"),
    role: read.text("role"),
    tenantId: read.tenant("tenantId"),
  }),
);

/** POST /dashboard/api/user/role/remove { userId, role, tenantId? } */
export const userRoleRemove = jsonRoute("userRoleRemovePOST", true, (api, input, read) =>
  api.userRoleRemovePOST?.({
    ...input,
    userId: read.text("userId"),
    role: read.text("role"),
    tenantId: read.tenant("tenantId"),
  }),
);

/** POST /dashboard/api/user/metadata { userId, metadata }: replaces the user's metadata. */
export const userMetadata = jsonRoute("userMetadataPOST", true, (api, input, read) =>
  api.userMetadataPOST?.({ ...input, userId: read.text("userId"), metadata: read.object("metadata") }),
);

/** POST /dashboard/api/user/delete { userId } */
export const userDelete = jsonRoute("userDeletePOST", true, (api, input, read) =>
  api.userDeletePOST?.({ ...input, userId: read.text("userId") }),
);

/** GET /dashboard/api/roles */
export const roles = jsonRoute("rolesGET", false, (api, input) => api.rolesGET?.(input));

/** POST /dashboard/api/role/create { role, permissions? } */
export const roleCreate = jsonRoute("roleCreatePOST", true, (api, input, read) =>
  api.roleCreatePOST?.({ ...input, role: read.text("role"), permissions: read.texts("permissions") }),
);

/** POST /dashboard/api/role/delete { role } */
export const roleDelete = jsonRoute("roleDeletePOST", true, (api, input, read) =>
  api.roleDeletePOST?.({ ...input, role: read.text("role") }),
);

/** GET /dashboard/api/audit?limit=&paginationToken= */
export const audit = jsonRoute("auditGET", false, (api, input, read) =>
  api.auditGET?.({
    ...input,
    limit: read.limit(),
    ...optional("paginationToken", read.optionalText("paginationToken")),
  }),
);
