// What the benchmarks share: where the databases are, run lengths (full or --quick), medians of interleaved runs,
// Latchkey init and teardown, raw driver references and the machine's description.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const URLS = {
  mysql: process.env.LATCHKEY_TEST_MYSQL_URL || "mysql://root@127.0.0.1:3306/test",
  postgres: process.env.LATCHKEY_TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/test",
};

const QUICK = process.argv.includes("--quick") || process.env.LATCHKEY_BENCH_QUICK === "1";

/**
 * Run lengths: a full run for the report, or --quick to check that every benchmark still works. CI runs --quick
 * beside the test suites on 2 cores, so its lengths are the least that still takes every code path (two table sizes
 * for scale, one autocannon second per route).
 */
const LENGTHS = QUICK
  ? {
      runs: 2,
      verifyMs: 200,
      ops: 60,
      roundMs: 150,
      httpSeconds: 1,
      httpRuns: 1,
      bcryptOps: 4,
      memoryVerifications: 5_000,
      memorySessions: 500,
      scaleMaxRows: 10_000,
      scaleSeconds: 1,
    }
  : {
      runs: 5,
      verifyMs: 500,
      ops: 150,
      roundMs: 1000,
      httpSeconds: 10,
      httpRuns: 3,
      bcryptOps: 12,
      memoryVerifications: 100_000,
      memorySessions: 10_000,
      scaleMaxRows: 1_000_000,
      scaleSeconds: 3,
    };

/** The databases to bench: the first argument that is not a flag, e.g. `sqlite,mysql`; all three by default. */
function kinds() {
  const arg = process.argv.slice(2).find((a) => !a.startsWith("--"));
  return (arg || "sqlite,mysql,postgres").split(",");
}

/** The median of a list of numbers. */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** a / b rounded to three places. */
const ratio = (a, b) => +(a / b).toFixed(3);

/** A fresh table prefix, so a run never meets another run's (or a test's) tables on the shared databases. */
const uniquePrefix = (tag = "lkb") => `${tag}_${crypto.randomBytes(3).toString("hex")}_`;

/** A temporary directory for SQLite files, removed at exit. */
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-bench-"));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The database URL of a kind: a SQLite file (WAL) in `dir`, or the MySQL/PostgreSQL test database. */
function databaseUrl(kind, dir) {
  return kind === "sqlite" ? `sqlite:${path.join(dir, "bench.sqlite")}` : URLS[kind];
}

/** ops/s of one function run in batches for `ms`. */
async function timed(fn, ms) {
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) await fn(n + i);
    n += 20;
  }
  return n / ((performance.now() - start) / 1000);
}

/** ops/s of `count` calls, `concurrency` at a time. */
async function counted(fn, count, concurrency = 1) {
  let started = 0;
  const start = performance.now();
  const worker = async () => {
    while (started < count) await fn(started++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count / ((performance.now() - start) / 1000);
}

/**
 * Medians of ops/s for each named function, their runs interleaved (A B C, A B C, ...) so that drift and the other
 * load on this machine hit every figure alike. `measure(fn)` returns ops/s of one run.
 */
async function interleaved(fns, measure, runs = LENGTHS.runs) {
  const samples = await interleavedRounds(fns, measure, runs);
  return Object.fromEntries(Object.keys(fns).map((n) => [n, Math.round(median(samples[n]) * 100) / 100]));
}

/** As interleaved(), but every round's ops/s of each function: { name: [round 1, round 2, ...] }. */
async function interleavedRounds(fns, measure, runs = LENGTHS.runs) {
  const names = Object.keys(fns);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) await measure(fns[n]); // warm-up run, discarded
  for (let r = 0; r < runs; r++) {
    for (const n of names) samples[n].push(await measure(fns[n]));
  }
  return samples;
}

/** [min, median, max] of a list, rounded to three places. */
const spread = (xs) => [Math.min(...xs), median(xs), Math.max(...xs)].map((v) => +v.toFixed(3));

/** [min, median, max] over rounds of a / b, each round's ratio taken from that round's own figures. */
const ratioSpread = (as, bs) => spread(as.map((a, i) => a / bs[i]));

// LATCHKEY_BENCH_VERIFIED_TOKEN_CACHE_SIZE=0 runs a benchmark with the verified-token cache off (before/after).
function withCacheSize(sessionConfig) {
  const size = process.env.LATCHKEY_BENCH_VERIFIED_TOKEN_CACHE_SIZE;
  if (size === undefined || "verifiedTokenCacheSize" in sessionConfig) return sessionConfig;
  return { ...sessionConfig, verifiedTokenCacheSize: Number(size) };
}

/** Initialises Latchkey with the session recipe (and more recipes if given) on `url` under `prefix`. */
function initLatchkey(url, prefix, sessionConfig = {}, moreRecipes = []) {
  const Latchkey = require("../lib/index");
  const Session = require("../recipes/session/index").default;
  Latchkey.init({
    appInfo: { appName: "bench", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
    database: url,
    tablePrefix: prefix,
    recipeList: [Session.init(withCacheSize(sessionConfig)), ...moreRecipes],
  });
}

/** Drops every table a run created under `prefix`, then forgets Latchkey (so it may be initialised again). */
async function teardownLatchkey(prefix) {
  const knex = require("../lib/latchkey").Latchkey.getInstanceOrThrow().database.knex;
  const names = [
    "sessions",
    "session_signing_keys",
    "emailpassword_users",
    "emailpassword_reset_tokens",
    "emailpassword_rate_limits",
    "emailverification_verified",
    "emailverification_tokens",
    "migrations",
    "migrations_lock",
  ];
  for (const t of names) await knex.schema.dropTableIfExists(prefix + t);
  await require("../lib/testing").resetForTests();
}

/** A raw driver connection on `kind`'s database with one `exec(sql, params)` and `close()`; `?` placeholders. */
async function rawConnection(kind, url) {
  if (kind === "sqlite") {
    const Database = require("better-sqlite3");
    const db = new Database(url.slice("sqlite:".length));
    db.pragma("journal_mode = WAL");
    const cache = new Map();
    return {
      exec: async (sql, params = []) => {
        let stmt = cache.get(sql);
        if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
        return stmt.reader ? stmt.all(...params) : stmt.run(...params);
      },
      close: async () => db.close(),
    };
  }
  if (kind === "mysql") {
    const conn = await require("mysql2/promise").createConnection(url);
    return { exec: async (sql, params = []) => (await conn.execute(sql, params))[0], close: () => conn.end() };
  }
  const { Client } = require("pg");
  const client = new Client({ connectionString: url });
  await client.connect();
  const names = new Map();
  return {
    exec: async (sql, params = []) => {
      let i = 0;
      const text = sql.replace(/\?/g, () => `$${++i}`);
      // Named statements are prepared once, as mysql2's execute does.
      if (!names.has(text)) names.set(text, `s${names.size}`);
      return (await client.query({ name: names.get(text), text, values: params })).rows;
    },
    close: () => client.end(),
  };
}

/** The database server versions, for the report. */
async function databaseVersions(dir) {
  const out = { sqlite: require("better-sqlite3")(":memory:").prepare("select sqlite_version() v").get().v };
  for (const kind of ["mysql", "postgres"]) {
    try {
      const c = await rawConnection(kind, databaseUrl(kind, dir));
      out[kind] = String(Object.values((await c.exec("select version() as v"))[0])[0]);
      await c.close();
    } catch (err) {
      out[kind] = `unreachable: ${err.code || err.message}`;
    }
  }
  return out;
}

/** Cores, CPU, memory, node and platform. */
function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model,
    memory_gb: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadavg_at_start: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

/** Prints a benchmark's result as the one JSON object on stdout. */
function emit(result) {
  process.stdout.write(`${JSON.stringify({ quick: QUICK, lengths: LENGTHS, ...result }, null, 2)}\n`);
}

/** Runs a benchmark's main, printing any failure to stderr with a non-zero exit. */
function run(main) {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (err) => {
      process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
      process.exit(1);
    },
  );
}

module.exports = {
  LENGTHS,
  QUICK,
  counted,
  databaseUrl,
  databaseVersions,
  emit,
  initLatchkey,
  interleaved,
  interleavedRounds,
  kinds,
  machine,
  median,
  ratio,
  ratioSpread,
  rawConnection,
  run,
  spread,
  teardownLatchkey,
  tempDir,
  timed,
  uniquePrefix,
};
