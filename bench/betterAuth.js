// better-auth set up in-process on the same database as Latchkey, under its own table names, as the reference
// for database-backed session checks. better-auth is ESM-only, hence the dynamic imports.
"use strict";
const crypto = require("node:crypto");

/** A driver handle better-auth accepts for a database URL (better-sqlite3 Database, mysql2 pool, pg Pool). */
function driverFor(kind, url) {
  if (kind === "sqlite") {
    const Database = require("better-sqlite3");
    const db = new Database(url.slice("sqlite:".length));
    db.pragma("journal_mode = WAL");
    return { database: db, close: async () => db.close() };
  }
  if (kind === "mysql") {
    const pool = require("mysql2/promise").createPool({ uri: url, connectionLimit: 10 });
    return { database: pool, close: () => pool.end() };
  }
  const { Pool } = require("pg");
  const pool = new Pool({ connectionString: url, max: 10 });
  return { database: pool, close: () => pool.end() };
}

/**
 * better-auth on `kind`'s database with tables `<prefix>user`, `<prefix>session`, ..., migrated, and one signed-up
 * user. Returns `auth`, the session cookie header for that user, and `close()` which drops the tables.
 */
async function setupBetterAuth(kind, url, { cookieCache = false, prefix } = {}) {
  const { betterAuth } = await import("better-auth");
  const { getMigrations } = await import("better-auth/db/migration");
  prefix ??= `lkba_${crypto.randomBytes(3).toString("hex")}_`;
  const driver = driverFor(kind, url);
  const options = {
    database: driver.database,
    secret: "bench-secret-bench-secret-bench-secret-0123",
    baseURL: "http://localhost:3001",
    emailAndPassword: { enabled: true },
    logger: { disabled: true },
    telemetry: { enabled: false },
    rateLimit: { enabled: false },
    user: { modelName: `${prefix}user` },
    account: { modelName: `${prefix}account` },
    verification: { modelName: `${prefix}verification` },
    session: { modelName: `${prefix}session`, cookieCache: { enabled: cookieCache, maxAge: 3600 } },
  };
  const drop = async () => {
    for (const m of ["session", "account", "verification", "user"]) {
      const t = `${prefix}${m}`;
      if (kind === "sqlite") driver.database.exec(`drop table if exists "${t}"`);
      else if (kind === "mysql") await driver.database.query(`drop table if exists \`${t}\``);
      else await driver.database.query(`drop table if exists "${t}" cascade`);
    }
    await driver.close();
  };
  try {
    // getMigrations reads every table in the schema; on the shared test databases another run's table may vanish
    // while it looks ("relation ... does not exist"), so a failed attempt is tried again.
    for (let attempt = 1; ; attempt++) {
      try {
        await (await getMigrations(options)).runMigrations();
        break;
      } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
    const auth = betterAuth(options);
    const res = await auth.api.signUpEmail({
      body: { email: "bench@example.com", password: "benchpassword1", name: "bench" },
      asResponse: true,
    });
    if (!res.ok) throw new Error(`better-auth sign-up failed: ${res.status}`);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    return { auth, cookie, headers: new Headers({ cookie }), prefix, close: drop };
  } catch (err) {
    // Leave nothing behind on the shared databases.
    await drop().catch(() => {});
    throw err;
  }
}

module.exports = { setupBetterAuth };
