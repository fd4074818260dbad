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
    // Bindings (password hashes, token hashes) must not be inlined into error messages.
    const renamed = input.client === "sqlite3" ? { ...input, client: "better-sqlite3" } : input;
    const described = describeKnexConfig(renamed);
    const config: Knex.Config = { compileSqlOnError: false, log: knexLogger(described.secrets), ...renamed };
    return { knex: knexFactory(withSqliteDefaults(config)), owned: true, ...described };
  }
  throw configError("database", "must be a URL (mysql://, postgres://, sqlite:path), a knex config or a knex instance");
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
    if (filename === "") throw configError("database", "a sqlite URL needs a path, e.g. sqlite:./app.sqlite or sqlite::memory:");
    return sqliteConnection(filename);
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
    throw configError("database", `unsupported URL scheme "${scheme}" (use mysql://, mariadb://, postgres:// or sqlite:)`);
  }
  const password = decodeURIComponent(parsed.password);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  const defaultPort = client === "pg" ? 5432 : 3306;
  const port = parsed.port === "" ? defaultPort : Number(parsed.port);
  const connection: Record<string, unknown> = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port,
    user: decodeURIComponent(parsed.username),
    password,
    database,
  };
  for (const [key, value] of parsed.searchParams) connection[key] = value;
  if (client === "mysql2") connection.charset ??= "utf8mb4";
  const secrets = [raw, password].filter((s) => s !== "");
  const config: Knex.Config = { client, connection, pool: { min: 0, max: 10 }, compileSqlOnError: false, log: knexLogger(secrets) };
  return {
    knex: knexFactory(config),
    owned: true,
    description: `${client === "pg" ? "postgres" : "mysql"} at ${parsed.hostname}:${port}/${database}`,
    secrets,
  };
}

function sqliteConnection(filename: string): ResolvedConnection {
  const config: Knex.Config = withSqliteDefaults({ client: "better-sqlite3", connection: { filename }, compileSqlOnError: false, log: knexLogger([]) });
  return { knex: knexFactory(config), owned: true, description: `sqlite at ${filename}`, secrets: [] };
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
  const kind = /pg|postgres/i.test(client) ? "postgres" : /mysql/i.test(client) ? "mysql" : /sqlite/i.test(client) ? "sqlite" : client;
  const connection = config.connection;
  if (typeof connection === "string") {
    try {
      const url = new URL(connection);
      return { description: `${kind} at ${url.hostname}:${url.port}${url.pathname}`, secrets: [connection, decodeURIComponent(url.password)].filter(Boolean) };
    } catch {
      return { description: kind, secrets: [connection] };
    }
  }
  if (typeof connection === "object" && connection !== null) {
    const c = connection as { host?: string; port?: number; database?: string; filename?: string; password?: unknown; connectionString?: string };
    const secrets = [c.password, c.connectionString].filter((s): s is string => typeof s === "string" && s !== "");
    if (c.filename !== undefined) return { description: `${kind} at ${c.filename}`, secrets };
    const port = c.port ?? (kind === "postgres" ? 5432 : kind === "mysql" ? 3306 : "?");
    return { description: `${kind} at ${c.host ?? "localhost"}:${port}/${c.database ?? ""}`, secrets };
  }
  return { description: kind, secrets: [] };
}
