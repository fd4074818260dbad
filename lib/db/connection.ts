import knexFactory, { type Knex } from "knex";
import { configError } from "../error";
import { knexLogger } from "../logger";
import type { DatabaseInput } from "../types";

/** A knex instance and what Latchkey may say about it in errors and logs (never the password). */
export interface ResolvedConnection {
  knex: Knex;
  /** True when Latchkey created the instance and so may destroy it. */
  owned: boolean;
  /** e.g. "mysql at 127.0.0.1:3306/test" or "sqlite at ./latchkey.sqlite". */
  description: string;
  /** Strings to scrub from any message shown to people (the password, the full URL). */
  secrets: string[];
}

/** The database drivers Latchkey supports, each an optional peer dependency. */
const DRIVERS = ["better-sqlite3", "mysql2", "pg"];

/** The SQLite file used when `database` is omitted. */
export const DEFAULT_SQLITE_FILE = "latchkey.sqlite";

/** Turns the `database` option into a knex instance. */
export function resolveConnection(input: DatabaseInput | undefined): ResolvedConnection {
  if (input === undefined) return sqliteConnection(DEFAULT_SQLITE_FILE);
  if (isKnexInstance(input)) {
    return { knex: input, owned: false, ...describeKnexConfig(input.client.config as Knex.Config) };
  }
  if (typeof input === "string") return fromUrl(input);
  if (typeof input === "object" && input !== null && !Array.isArray(input) && "client" in input) {
    // knex's "sqlite3" and "mysql" clients need drivers Latchkey does not ship; the ones it ships read the same config.
    const client = input.client === "sqlite3" ? "better-sqlite3" : input.client === "mysql" ? "mysql2" : input.client;
    const renamed = { ...input, client };
    const described = describeKnexConfig(renamed);
    // Bindings (password hashes, token hashes) must not be inlined into error messages.
    const config: Knex.Config = { compileSqlOnError: false, log: knexLogger(described.secrets), ...renamed };
    return {
      knex: createKnex(withPostgresDefaults(withMySQLDefaults(withSqliteDefaults(config)))),
      owned: true,
      ...described,
    };
  }
  throw configError("database", "must be a URL (mysql://, postgres://, sqlite:path), a knex config or a knex instance");
}

// knex throws plain Errors for an unknown client or a missing driver; the message names the client, not the connection.
// The drivers are optional peer dependencies: the app installs the one its database needs.
function createKnex(config: Knex.Config): Knex {
  try {
    return knexFactory(config);
  } catch (err) {
    const client = typeof config.client === "string" ? config.client : "custom";
    const message = err instanceof Error ? err.message : String(err);
    const missing = /Cannot find module '([^']+)'/.exec(message);
    if (missing !== null && DRIVERS.includes(missing[1] ?? "")) {
      const driver = missing[1] ?? "";
      throw configError(
        "database",
        `the ${driver} driver is not installed: run \`npm install ${driver}\` in your app (Latchkey lists the drivers as optional peer dependencies, so an app installs only the one its database needs)`,
      );
    }
    const reason = missing ? `its driver ${missing[1]} is not installed` : (message.split("\n", 1)[0] ?? "");
    throw configError(
      "database",
      `knex cannot use the "${client}" client (${reason}); use mysql2, pg or better-sqlite3`,
    );
  }
}

function isKnexInstance(value: unknown): value is Knex {
  return (
    typeof value === "function" &&
    typeof (value as Partial<Knex>).raw === "function" &&
    typeof (value as Partial<Knex>).client === "object"
  );
}

function fromUrl(raw: string): ResolvedConnection {
  const url = raw.trim();
  const sqlite = /^sqlite:(?:\/\/)?(.*)$/i.exec(url);
  if (sqlite) {
    const filename = sqlite[1] ?? "";
    if (filename === "")
      throw configError("database", "a sqlite URL needs a path, e.g. sqlite:./app.sqlite or sqlite::memory:");
    return sqliteConnection(filename);
  }
  if (url.includes("#")) {
    // An unencoded "#" in a password ends the URL early: the rest would be taken for the host and show in errors.
    throw configError(
      "database",
      "the URL contains '#': percent-encode reserved characters in the user name and password (# as %23, @ as %40, / as %2F, ? as %3F)",
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configError("database", "is not a valid URL (expected mysql://, postgres:// or sqlite:)");
  }
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  const client = { mysql: "mysql2", mariadb: "mysql2", postgres: "pg", postgresql: "pg" }[scheme];
  if (client === undefined) {
    throw configError(
      "database",
      `unsupported URL scheme "${scheme}" (use mysql://, mariadb://, postgres:// or sqlite:)`,
    );
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    // Without "//" the user, password and host are all read as the database name, which errors then show.
    throw configError(
      "database",
      `a ${scheme} URL starts with ${scheme}:// (e.g. ${scheme}://user:password@host/mydb)`,
    );
  }
  const password = decodeURLPart(parsed.password, "password");
  const database = decodeURLPart(parsed.pathname.replace(/^\//, ""), "database name");
  const host = decodeURLPart(parsed.hostname.replace(/^\[(.*)\]$/, "$1"), "host");
  if (client === "mysql2" && database === "" && !parsed.searchParams.has("database")) {
    throw configError("database", `a ${scheme} URL needs a database name, e.g. ${scheme}://user@127.0.0.1:3306/mydb`);
  }
  const defaultPort = client === "pg" ? 5432 : 3306;
  const port = parsed.port === "" ? defaultPort : Number(parsed.port);
  const connection: Record<string, unknown> = {
    host,
    port,
    user: decodeURLPart(parsed.username, "user name"),
    password,
    database,
    ...(client === "pg" ? pgQueryOptions(parsed.searchParams) : mysqlQueryOptions(parsed.searchParams)),
  };
  if (client === "mysql2") connection.charset ??= "utf8mb4";
  const secrets = [raw, password].filter((s) => s !== "");
  const config: Knex.Config = {
    client,
    connection,
    pool: { min: 0, max: 10 },
    compileSqlOnError: false,
    log: knexLogger(secrets),
  };
  return {
    knex: createKnex(withPostgresDefaults(withMySQLDefaults(config))),
    owned: true,
    description: `${client === "pg" ? "postgres" : "mysql"} at ${parsed.hostname || "localhost"}:${port}/${database}`,
    secrets,
  };
}

function decodeURLPart(value: string, part: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    // The message names the part only: the malformed value may be (part of) the password.
    throw configError("database", `the URL's ${part} has a malformed %-escape (write % itself as %25)`);
  }
}

// Query parameters as the driver reads them in its own URL form, so that a URL means what its driver's docs say.
// mysql2: each value is JSON when it parses as JSON (ssl=false, ssl={"rejectUnauthorized":true}), else a string.
function mysqlQueryOptions(params: URLSearchParams): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of params) {
    try {
      options[key] = JSON.parse(value) as unknown;
    } catch {
      options[key] = value;
    }
  }
  return options;
}

// pg: libpq's sslmode, and ssl as a boolean. Passed through as strings, "false" would be truthy and sslmode
// ignored: ?sslmode=require would connect without TLS and ?ssl=false would insist on it.
function pgQueryOptions(params: URLSearchParams): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of params) {
    if (key === "ssl") {
      if (!/^(true|1|false|0)$/.test(value))
        throw configError("database", "?ssl= must be true or false (or use sslmode=)");
      options.ssl = value === "true" || value === "1";
    } else if (key === "sslmode") {
      options.ssl = pgSslMode(value);
    } else if (key === "sslcert" || key === "sslkey" || key === "sslrootcert") {
      throw configError(
        "database",
        `?${key}= is not read from a URL: pass a knex config with connection.ssl { ca, cert, key }`,
      );
    } else {
      options[key] = value;
    }
  }
  return options;
}

function pgSslMode(mode: string): boolean | { rejectUnauthorized: boolean } {
  switch (mode) {
    case "disable":
      return false;
    case "no-verify":
      return { rejectUnauthorized: false };
    // node-postgres has no opportunistic TLS: every mode that asks for TLS gets it, with the certificate verified.
    case "prefer":
    case "require":
    case "verify-ca":
    case "verify-full":
      return { rejectUnauthorized: true };
    default:
      throw configError(
        "database",
        `unknown sslmode "${mode}" (use disable, no-verify, require, verify-ca or verify-full)`,
      );
  }
}

function sqliteConnection(filename: string): ResolvedConnection {
  const config: Knex.Config = withSqliteDefaults({
    client: "better-sqlite3",
    connection: { filename },
    compileSqlOnError: false,
    log: knexLogger([]),
  });
  return { knex: createKnex(config), owned: true, description: `sqlite at ${filename}`, secrets: [] };
}

// On a Galera cluster a commit is certified everywhere but applied on the other nodes a moment later, so a read on
// another node could miss it: a signing key another process just made (its tokens then fail as "try refresh token"),
// a session just created, a user just signed up. wsrep_sync_wait = 1 makes each read on Latchkey's connections wait
// until the node has applied every commit the cluster made before the read began. Elsewhere it is harmless (a
// MariaDB without wsrep ignores it); MySQL has no such variable, and says so (1193), which is fine.
const UNKNOWN_SYSTEM_VARIABLE = 1193;

type MySQLConnection = { query(sql: string, callback: (err: (Error & { errno?: number }) | null) => void): void };
type AfterCreate = (conn: unknown, done: (err: Error | null, conn: unknown) => void) => void;

function withMySQLDefaults(config: Knex.Config): Knex.Config {
  if (config.client !== "mysql2") return config;
  const own = (config.pool as { afterCreate?: AfterCreate } | undefined)?.afterCreate;
  const afterCreate: AfterCreate = (conn, done) => {
    (conn as MySQLConnection).query("SET SESSION wsrep_sync_wait = 1", (err) => {
      if (err !== null && err.errno !== UNKNOWN_SYSTEM_VARIABLE) return done(err, conn);
      if (own !== undefined) return own(conn, done);
      done(null, conn);
    });
  };
  return { ...config, pool: { ...config.pool, afterCreate } };
}

// A server that ends a connection (pg_terminate_backend, a restart, an idle limit) first sends a FATAL message, which
// fails the query in flight, and closes the socket a moment later. In that moment the connection is back in the pool
// looking healthy, and the next request that takes it fails too. Marking it disposed at the FATAL message (knex's
// own flag, checked when the pool hands a connection out) makes the pool open a new one instead.
type PgConnection = {
  connection?: { on(event: "errorMessage", listener: (msg: { severity?: string }) => void): void };
  __knex__disposed?: unknown;
};

function withPostgresDefaults(config: Knex.Config): Knex.Config {
  if (typeof config.client !== "string" || !/^(pg|postgres|postgresql)$/.test(config.client)) return config;
  const own = (config.pool as { afterCreate?: AfterCreate } | undefined)?.afterCreate;
  const afterCreate: AfterCreate = (conn, done) => {
    const pg = conn as PgConnection;
    pg.connection?.on("errorMessage", (msg) => {
      if (msg.severity === "FATAL" || msg.severity === "PANIC") pg.__knex__disposed = "the server ended the connection";
    });
    if (own !== undefined) return own(conn, done);
    done(null, conn);
  };
  return { ...config, pool: { ...config.pool, afterCreate } };
}

// WAL lets readers run beside a writer; the busy timeout makes a second process wait for a lock instead of failing.
function withSqliteDefaults(config: Knex.Config): Knex.Config {
  if (config.client !== "better-sqlite3") return config;
  const connection = config.connection as { filename?: string };
  const inMemory = connection.filename === ":memory:";
  return {
    useNullAsDefault: true,
    ...config,
    pool: {
      ...(inMemory ? { min: 1, max: 1, idleTimeoutMillis: Number.MAX_SAFE_INTEGER } : {}),
      afterCreate: (conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
        try {
          if (!inMemory) conn.pragma("journal_mode = WAL");
          conn.pragma("busy_timeout = 5000");
          conn.pragma("foreign_keys = ON");
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
      ...config.pool,
    },
  };
}

function describeKnexConfig(config: Knex.Config): { description: string; secrets: string[] } {
  const client = String(typeof config.client === "string" ? config.client : "custom client");
  const kind = /pg|postgres/i.test(client)
    ? "postgres"
    : /mysql/i.test(client)
      ? "mysql"
      : /sqlite/i.test(client)
        ? "sqlite"
        : client;
  const connection = config.connection;
  if (typeof connection === "string") {
    try {
      const url = new URL(connection);
      // Without "//host" the user and password would sit in the path, which the description shows.
      if (url.hostname === "") return { description: kind, secrets: [connection] };
      return {
        description: `${kind} at ${url.hostname}:${url.port}${url.pathname}`,
        secrets: [connection, decodeURIComponent(url.password)].filter(Boolean),
      };
    } catch {
      return { description: kind, secrets: [connection] };
    }
  }
  if (typeof connection === "object" && connection !== null) {
    const c = connection as {
      host?: string;
      port?: number;
      database?: string;
      filename?: string;
      password?: unknown;
      connectionString?: string;
    };
    const secrets = [c.password, c.connectionString].filter((s): s is string => typeof s === "string" && s !== "");
    if (c.filename !== undefined) return { description: `${kind} at ${c.filename}`, secrets };
    const port = c.port ?? (kind === "postgres" ? 5432 : kind === "mysql" ? 3306 : "?");
    return { description: `${kind} at ${c.host ?? "localhost"}:${port}/${c.database ?? ""}`, secrets };
  }
  return { description: kind, secrets: [] };
}
