// Latchkey.getUsersNewestFirst / getUsersOldestFirst / getUserCount: every login method recipe's users in one join
// order. Each recipe pages its own table by an indexed range after the cursor; the pages are merged here, so a page
// costs `limit + 1` rows per recipe however deep it is, and users who join meanwhile never shift a later page.
import type { Capabilities } from "./capabilities";
import { isStorableText as isWellFormed } from "./db/text";
import { badInput, type LatchkeyError } from "./error";
import { type UserCursor, UserListings, type UserListSource, type UserSearch } from "./seams";
import type { UserContext } from "./types";
import { assemble, type User } from "./users";

/** The most users one page may ask for (as SuperTokens). */
export const MAX_PAGE_LIMIT = 500;
/** The page size when `limit` is omitted. */
export const DEFAULT_PAGE_LIMIT = 100;
// Longest search term kept: longer ones cannot be a prefix of anything stored.
const MAX_TERM_LENGTH = 256;

/** The input of getUsersNewestFirst / getUsersOldestFirst. */
export interface GetUsersInput {
  /** Users per page, 1 to 500; default 100. */
  limit?: number;
  /** `nextPaginationToken` of the previous page. */
  paginationToken?: string;
  /** Only users of the recipes with these ids (as in `loginMethods[].recipeId`). */
  includeRecipeIds?: string[];
  /**
   * Search: `email`, `phone` and/or `provider`, each one or several prefixes separated by ";". A user matches when
   * every field given matches one of its prefixes.
   */
  query?: { email?: string; phone?: string; provider?: string };
  /** Only users of this tenant; omitted: every tenant. */
  tenantId?: string;
  userContext?: UserContext;
}

/** One page of users. */
export interface UsersPage {
  users: User[];
  /** Pass as `paginationToken` for the next page; absent on the last page. */
  nextPaginationToken?: string;
}

/** One page of users in join order, newest or oldest first. */
export async function listUsers(
  capabilities: Capabilities,
  order: "asc" | "desc",
  input: GetUsersInput = {},
): Promise<UsersPage> {
  const limit = pageLimit(input.limit);
  const after = input.paginationToken === undefined ? undefined : decodeToken(input.paginationToken);
  const search = parseQuery(input.query);
  const userContext = input.userContext ?? {};
  const sources = selectSources(capabilities, input.includeRecipeIds);
  const pages = await Promise.all(
    sources.map((source) =>
      source.listLoginMethods({
        order,
        limit: limit + 1,
        userContext,
        ...(after === undefined ? {} : { after }),
        ...(input.tenantId === undefined ? {} : { tenantId: input.tenantId }),
        ...(search === undefined ? {} : { search }),
      }),
    ),
  );
  const sign = order === "asc" ? 1 : -1;
  const merged = pages
    .flat()
    .sort((a, b) => sign * (a.timeJoined - b.timeJoined || compare(a.recipeUserId, b.recipeUserId)));
  const page = merged.slice(0, limit);
  const users = await Promise.all(
    page.map((record) => assemble(capabilities, record.recipeUserId, [record], userContext)),
  );
  const last = page[page.length - 1];
  return merged.length > limit && last !== undefined
    ? { users, nextPaginationToken: encodeToken({ timeJoined: last.timeJoined, userId: last.recipeUserId }) }
    : { users };
}

/** How many users the listed login methods have (of `includeRecipeIds` only, in `tenantId` only, when given). */
export async function countUsers(
  capabilities: Capabilities,
  includeRecipeIds: string[] | undefined,
  tenantId: string | undefined,
  userContext: UserContext,
): Promise<number> {
  const counts = await Promise.all(
    selectSources(capabilities, includeRecipeIds).map((s) =>
      s.countUsers({ userContext, ...(tenantId === undefined ? {} : { tenantId }) }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

function selectSources(capabilities: Capabilities, includeRecipeIds: unknown): readonly UserListSource[] {
  const all = capabilities.all(UserListings);
  if (includeRecipeIds === undefined) return all;
  if (!Array.isArray(includeRecipeIds) || !includeRecipeIds.every((id) => typeof id === "string")) {
    throw badInput("includeRecipeIds must be an array of recipe ids");
  }
  return all.filter((s) => includeRecipeIds.includes(s.recipeId));
}

function pageLimit(limit: unknown): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw badInput(`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  }
  return limit;
}

/** The search of a query object: each field split at ";" into trimmed, non-empty prefixes. */
export function parseQuery(query: unknown): UserSearch | undefined {
  if (query === undefined) return undefined;
  if (typeof query !== "object" || query === null || Array.isArray(query)) throw badInput("query must be an object");
  const search: UserSearch = {};
  for (const [key, value] of Object.entries(query)) {
    if (key !== "email" && key !== "phone" && key !== "provider") {
      throw badInput("query may have only email, phone and provider");
    }
    if (typeof value !== "string") throw badInput(`query.${key} must be a string`);
    const terms = value
      .split(";")
      .map((t) => t.trim())
      .filter((t) => t !== "");
    if (terms.some((t) => t.length > MAX_TERM_LENGTH || !isWellFormed(t))) {
      throw badInput(`query.${key} has a term no stored value could start with`);
    }
    if (terms.length > 0) search[key] = terms;
  }
  return Object.keys(search).length === 0 ? undefined : search;
}

/** The opaque token of a position in the join order. */
export function encodeToken(cursor: UserCursor): string {
  return Buffer.from(JSON.stringify([cursor.timeJoined, cursor.userId])).toString("base64url");
}

/** The position a token stands for; BAD_INPUT_ERROR when it is not one this module made. */
export function decodeToken(token: unknown): UserCursor {
  if (typeof token !== "string" || token.length > 200 || !/^[A-Za-z0-9_-]+$/.test(token)) throw badToken();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw badToken();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw badToken();
  const [timeJoined, userId] = parsed as unknown[];
  if (typeof timeJoined !== "number" || !Number.isSafeInteger(timeJoined) || typeof userId !== "string") {
    throw badToken();
  }
  if (userId.length > 64 || !isWellFormed(userId)) throw badToken();
  return { timeJoined, userId };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function badToken(): LatchkeyError {
  return badInput("paginationToken is not one a listing returned");
}
