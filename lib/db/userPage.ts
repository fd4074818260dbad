// The one query behind every login method's user listing: a keyset page over (time_joined, user_id), so a page costs
// an index range scan however deep it is (no OFFSET), and rows inserted meanwhile never shift a later page.
import type { Knex } from "knex";
import type { UserCursor, UserSearch } from "../seams";

/** Which of the table's columns a search field compares; a field without a column matches no row of the table. */
export interface SearchColumns {
  email?: string;
  phone?: string;
  provider?: string;
}

/** What one page asks for. */
export interface UserPageInput {
  order: "asc" | "desc";
  after?: UserCursor;
  limit: number;
  tenantId?: string;
  search?: UserSearch;
}

// `!` escapes LIKE's wildcards: a backslash would need different quoting on MySQL and PostgreSQL.
const LIKE_ESCAPE = "!";

/** A LIKE pattern matching strings that start with `prefix` literally. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[!%_]/g, (c) => LIKE_ESCAPE + c)}%`;
}

/** Adds the search to a query; false when the search names a field the table cannot match (no row matches). */
export function applyUserSearch(query: Knex.QueryBuilder, columns: SearchColumns, search: UserSearch = {}): boolean {
  for (const field of ["email", "phone", "provider"] as const) {
    const terms = search[field];
    if (terms === undefined) continue;
    const column = columns[field];
    if (column === undefined || terms.length === 0) return false;
    const patterns = terms.map((t) => prefixPattern(field === "email" ? t.toLowerCase() : t));
    void query.where((w) => {
      for (const pattern of patterns) void w.orWhereRaw(`?? like ? escape '${LIKE_ESCAPE}'`, [column, pattern]);
    });
  }
  return true;
}

/**
 * Selects one page of `table` (time_joined and user_id columns, both indexed together), or undefined when the search
 * cannot match. The cursor condition is written so that its first term is a plain range on time_joined.
 */
export function userPageQuery(
  table: Knex.QueryBuilder,
  columns: SearchColumns,
  input: UserPageInput,
): Knex.QueryBuilder | undefined {
  if (!applyUserSearch(table, columns, input.search)) return undefined;
  if (input.tenantId !== undefined) void table.where("tenant_id", input.tenantId);
  const { after } = input;
  if (after !== undefined) {
    const past = input.order === "asc" ? ">" : "<";
    void table
      .where("time_joined", `${past}=`, after.timeJoined)
      .where((w) => void w.where("time_joined", past, after.timeJoined).orWhere("user_id", past, after.userId));
  }
  return table
    .orderBy([
      { column: "time_joined", order: input.order },
      { column: "user_id", order: input.order },
    ])
    .limit(input.limit);
}
