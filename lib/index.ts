import { LatchkeyError } from "./error";
import { Latchkey as Core } from "./latchkey";
import type * as Types from "./types";

/**
 * The default export of "latchkey". A class only so that a namespace of types can merge with it; it has no
 * instances. `require("latchkey")` and `import Latchkey from "latchkey"` give this same object.
 */
class Latchkey {
  private constructor() {}

  /** The error class of everything Latchkey raises on purpose. */
  static readonly Error = LatchkeyError;
  /** The module itself, so that a default import and a require are the same object. */
  static default: typeof Latchkey;

  /**
   * Initialises Latchkey once per process: app info, database and the recipe list.
   *
   * @example
   * ```ts
   * Latchkey.init({
   *   appInfo: { appName: "Shop", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
   *   database: "postgres://app@127.0.0.1/shop", // omitted: ./latchkey.sqlite
   *   recipeList: [EmailPassword.init(), Session.init()],
   * });
   * ```
   */
  static init(config: Types.TypeInput): void {
    Core.init(config);
  }

  /**
   * The user with this id, from whichever recipe knows them, or undefined.
   *
   * @example
   * ```ts
   * const user = await Latchkey.getUser(session.getUserId());
   * console.log(user?.emails, user?.loginMethods.map((m) => m.recipeId));
   * ```
   */
  static getUser(userId: string, userContext: Types.UserContext = {}): Promise<Types.User | undefined> {
    return Core.getInstanceOrThrow().getUser(userId, userContext);
  }

  /**
   * One page of users, the newest first, from every login method recipe; pass `nextPaginationToken` back for the next.
   *
   * @example
   * ```ts
   * const { users, nextPaginationToken } = await Latchkey.getUsersNewestFirst({ limit: 50, query: { email: "ann" } });
   * ```
   */
  static getUsersNewestFirst(input: Types.GetUsersInput = {}): Promise<Types.UsersPage> {
    return Core.getInstanceOrThrow().getUsers("desc", input);
  }

  /**
   * One page of users, the oldest first, from every login method recipe; pass `nextPaginationToken` back for the next.
   *
   * @example
   * ```ts
   * let page = await Latchkey.getUsersOldestFirst({ limit: 500 });
   * while (page.nextPaginationToken) page = await Latchkey.getUsersOldestFirst({ paginationToken: page.nextPaginationToken });
   * ```
   */
  static getUsersOldestFirst(input: Types.GetUsersInput = {}): Promise<Types.UsersPage> {
    return Core.getInstanceOrThrow().getUsers("asc", input);
  }

  /**
   * How many users there are: of these recipes only, in this tenant only, when given.
   *
   * @example
   * ```ts
   * const total = await Latchkey.getUserCount(); // every login method, every tenant
   * ```
   */
  static getUserCount(
    includeRecipeIds?: string[],
    tenantId?: string,
    userContext: Types.UserContext = {},
  ): Promise<number> {
    return Core.getInstanceOrThrow().getUserCount(includeRecipeIds, tenantId, userContext);
  }

  /**
   * Deletes the user and everything every recipe keeps about them (sessions included), in one transaction.
   *
   * @example
   * ```ts
   * await Latchkey.deleteUser(userId);
   * ```
   */
  static async deleteUser(userId: string, userContext: Types.UserContext = {}): Promise<{ status: "OK" }> {
    await Core.getInstanceOrThrow().deleteUser(userId, userContext);
    return { status: "OK" };
  }

  /**
   * The request headers to list in your CORS `allowedHeaders` so the frontend SDKs can talk to the API.
   *
   * @example
   * ```ts
   * app.use(cors({ origin: websiteDomain, credentials: true,
   *   allowedHeaders: ["content-type", ...Latchkey.getAllCORSHeaders()] }));
   * ```
   */
  static getAllCORSHeaders(): string[] {
    return Core.getInstanceOrThrow().getAllCORSHeaders();
  }
}
Latchkey.default = Latchkey;

// eslint-disable-next-line @typescript-eslint/no-namespace -- puts the public types beside the default export
declare namespace Latchkey {
  export type Error = LatchkeyError;
  export type AppInfo = Types.AppInfo;
  export type DatabaseInput = Types.DatabaseInput;
  export type JSONObject = Types.JSONObject;
  export type JSONValue = Types.JSONValue;
  export type LoggerInput = Types.LoggerInput;
  export type LogLevel = Types.LogLevel;
  export type TypeInput = Types.TypeInput;
  export type User = Types.User;
  export type GetUsersInput = Types.GetUsersInput;
  export type UsersPage = Types.UsersPage;
  export type UserContext = Types.UserContext;
}

export = Latchkey;
