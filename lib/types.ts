import type { Knex } from "knex";
import type { LoggerInput } from "./logger";
import type { RecipeListFunction } from "./recipeModule";

/** A per-call bag that flows through every overridable function; `{}` unless the caller passes one. */
export type UserContext = Record<string, unknown>;

/** Any JSON value. */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

/** A JSON object. */
export type JSONObject = { [key: string]: JSONValue };

/** What the app says about itself: names and where its API and website live. */
export interface AppInfo {
  appName: string;
  apiDomain: string;
  websiteDomain: string;
  /** Path under which Latchkey serves its routes; default `/auth`. */
  apiBasePath?: string;
  /** Path of the website's auth pages (used in emailed links); default `/auth`. */
  websiteBasePath?: string;
}

/** AppInfo after validation: domains are origins without a trailing slash, paths are "" or "/x[/y]". */
export interface NormalisedAppInfo {
  appName: string;
  apiDomain: string;
  websiteDomain: string;
  apiBasePath: string;
  websiteBasePath: string;
}

/** Where Latchkey keeps its tables: a knex instance, a knex config, or a URL. */
export type DatabaseInput = string | Knex | Knex.Config;

/** The argument of `Latchkey.init()`. */
export interface TypeInput {
  appInfo: AppInfo;
  /** Omitted: an embedded SQLite file `latchkey.sqlite` in the working directory. */
  database?: DatabaseInput;
  /**
   * A read replica of `database` (e.g. a PostgreSQL streaming replica), for reads that tolerate lag: the JWKS and
   * session listings. Reads that decide anything (refresh, theft, codes, rate limits, sign-in) stay on `database`.
   */
  readReplica?: DatabaseInput;
  /** Prefix of every table Latchkey creates; default `latchkey_`. */
  tablePrefix?: string;
  recipeList: RecipeListFunction[];
  /**
   * Where Latchkey's log lines go: a function `(message, level) => void`, or an object with `debug`, `info`, `warn`
   * and `error` (pino, winston, console). Default: stderr, prefixed `[latchkey]`. Lines never carry a token,
   * password, code or secret.
   */
  logger?: LoggerInput;
  /**
   * Logs why each auth decision went the way it did (expired token, bad signature, failed claim, ...) at debug level.
   * Default: on when the environment has DEBUG=latchkey (or LATCHKEY_DEBUG=1).
   */
  debug?: boolean;
}

export type { User } from "./users";
export type { GetUsersInput, UsersPage } from "./userListing";
export type { LogFunction, LoggerInput, LoggerObject, LogLevel } from "./logger";
