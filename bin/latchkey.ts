#!/usr/bin/env node
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { resolveConnection } from "../lib/db/connection";
import { Database, normaliseTablePrefix } from "../lib/db/database";
import { releaseMigrationLock } from "../lib/db/migrations";
import { LatchkeyError } from "../lib/error";
import { Latchkey } from "../lib/latchkey";
import type { TypeInput } from "../lib/types";
import { shippedMigrations } from "./shippedMigrations";

const USAGE = `Usage: latchkey migrate [options]

Applies Latchkey's pending database migrations.

Options:
  --database URL       mysql://..., postgres://..., sqlite:path (default: sqlite:latchkey.sqlite)
  --table-prefix P     prefix of Latchkey's tables (default: latchkey_)
  --config FILE        a module exporting your Latchkey.init() config: migrates exactly its recipes
                       (and its database and prefix unless given above); default: every shipped recipe
  --unlock             clear a migration lock left by a process that died while migrating
  -h, --help           show this help`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        database: { type: "string" },
        "table-prefix": { type: "string" },
        config: { type: "string" },
        unlock: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== "migrate") {
    const problem =
      positionals.length === 0
        ? "no command given"
        : `unknown command or extra argument: ${positionals.find((p, i) => i > 0 || p !== "migrate") ?? ""}`;
    process.stderr.write(`${problem}\n\n${USAGE}\n`);
    return 2;
  }
  const database =
    values.config !== undefined
      ? databaseFromConfig(values.config, values.database, values["table-prefix"])
      : new Database(resolveConnection(values.database), normaliseTablePrefix(values["table-prefix"]));
  if (values.config === undefined) database.setMigrations(shippedMigrations());
  try {
    if (values.unlock === true) {
      await releaseMigrationLock(database.knex, database.tablePrefix);
      process.stdout.write(`Migration lock cleared (${database.description})\n`);
    }
    const applied = await database.migrate();
    process.stdout.write(
      applied.length === 0
        ? `Already up to date (${database.description})\n`
        : `Applied ${applied.length} migration(s) to ${database.description}:\n${applied.map((n) => `  ${n}\n`).join("")}`,
    );
    return 0;
  } finally {
    // This process exists only to migrate: a knex instance from --config would keep it alive (close() leaves
    // instances the app passed in open, as an app needs).
    await database.knex.destroy();
  }
}

function databaseFromConfig(file: string, databaseUrl: string | undefined, tablePrefix: string | undefined): Database {
  const config = loadConfig(path.resolve(file));
  Latchkey.init({
    ...config,
    ...(databaseUrl !== undefined ? { database: databaseUrl } : {}),
    ...(tablePrefix !== undefined ? { tablePrefix } : {}),
  });
  return Latchkey.getInstanceOrThrow().database;
}

function loadConfig(file: string): TypeInput {
  let loaded: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the user's config module is only known at run time
    loaded = require(file);
  } catch (err) {
    // Only the kind of failure is shown: the module's own message could quote its contents (a database URL).
    const e = err as { code?: unknown; name?: unknown };
    const notFound = e.code === "MODULE_NOT_FOUND" && !fs.existsSync(file);
    const typescript = /\.[cm]?ts$/.test(file) && e.name === "SyntaxError";
    throw new LatchkeyError(
      "INVALID_CONFIG",
      notFound
        ? `--config: no such file ${file}`
        : `--config: ${file} could not be loaded (${typeof e.code === "string" ? e.code : String(e.name)})` +
            (typescript
              ? "; a TypeScript config needs a loader, e.g. node --require tsx/cjs node_modules/.bin/latchkey ..."
              : ""),
    );
  }
  const config = isObject(loaded) && isObject(loaded.default) ? loaded.default : loaded;
  if (!isObject(config))
    throw new LatchkeyError("INVALID_CONFIG", `--config: ${file} must export the object you pass to Latchkey.init()`);
  return config as unknown as TypeInput;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // LatchkeyError messages are written to be free of secrets; anything else is reported by type only.
    const message = LatchkeyError.isErrorFromAuth(err) ? err.message : `unexpected ${(err as Error)?.name ?? "error"}`;
    process.stderr.write(`latchkey migrate failed: ${message}\n`);
    process.exitCode = 1;
  },
);
