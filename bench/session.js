#!/usr/bin/env node
// Session benchmark: getSession verifications/s through the public API beside raw crypto.verify and
// jsonwebtoken.verify on the same token and key, and refreshes/s on each database beside a raw driver update of one
// row on the same database and a raw RS256 signature (each refresh does both). Prints one JSON object. Usage: node bench/session.js [sqlite,mysql,postgres]
"use strict";
require("tsx/cjs");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const jwt = require("jsonwebtoken");
const Latchkey = require("../lib/index");
const Session = require("../recipes/session/index").default;
const { SessionRecipe } = require("../recipes/session/recipe");
const { resetForTests } = require("../lib/testing");
const { databaseUrl, dropTables, median } = require("./common");

const RUNS = 5;
const VERIFY_MS = 1000;
const REFRESH_OPS = 300;

/** ops/s of a synchronous or async function run for `ms`, median of RUNS runs. */
async function opsPerSecond(fn, ms) {
  const results = [];
  for (let r = 0; r < RUNS; r++) {
    let n = 0;
    const end = performance.now() + ms;
    const start = performance.now();
    while (performance.now() < end) {
      for (let i = 0; i < 50; i++) await fn();
      n += 50;
    }
    results.push(n / ((performance.now() - start) / 1000));
  }
  return Math.round(median(results));
}

/** ops/s of `count` sequential calls, median of RUNS runs. */
async function opsPerSecondCount(fn, count) {
  const results = [];
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    for (let i = 0; i < count; i++) await fn(i);
    results.push(count / ((performance.now() - start) / 1000));
  }
  return Math.round(median(results));
}

function init(url, prefix, config = {}) {
  Latchkey.init({
    appInfo: { appName: "bench", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
    database: url,
    tablePrefix: prefix,
    recipeList: [Session.init(config)],
  });
}

async function benchVerify(url) {
  const prefix = `lkb_${crypto.randomBytes(3).toString("hex")}_`;
  init(url, prefix);
  const session = await Session.createNewSessionWithoutRequestResponse("bench-user", { role: "admin" });
  const token = session.getAccessToken();
  await Session.getSession(token); // warm the key cache
  const kid = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString()).kid;
  const key = SessionRecipe.getInstanceOrThrow().keys.getVerificationKey(kid).publicKey;
  const pem = key.export({ type: "spki", format: "pem" });
  const dot = token.lastIndexOf(".");
  const signed = Buffer.from(token.slice(0, dot));
  const signature = Buffer.from(token.slice(dot + 1), "base64url");
  const raw = await opsPerSecond(() => crypto.verify("sha256", signed, key, signature), VERIFY_MS);
  // jsonwebtoken at its best: the same parsed KeyObject (a PEM string would be re-parsed on every call).
  const jsonwebtoken = await opsPerSecond(() => jwt.verify(token, key, { algorithms: ["RS256"] }), VERIFY_MS);
  const jsonwebtokenPem = await opsPerSecond(() => jwt.verify(token, pem, { algorithms: ["RS256"] }), VERIFY_MS);
  const latchkey = await opsPerSecond(() => Session.getSession(token), VERIFY_MS);
  await dropTables(prefix);
  await resetForTests();
  return {
    unit: "verifications/s, RS256 2048, one core",
    raw_crypto_verify: raw,
    jsonwebtoken_verify: jsonwebtoken,
    jsonwebtoken_verify_pem_string: jsonwebtokenPem,
    latchkey_getSession: latchkey,
    ratio_latchkey_to_raw: +(latchkey / raw).toFixed(3),
    ratio_jsonwebtoken_to_raw: +(jsonwebtoken / raw).toFixed(3),
    target: "latchkey_getSession >= 0.7 x raw_crypto_verify",
    target_met: latchkey / raw >= 0.7,
  };
}

/** A raw driver update of one row, in the same database, as the physical limit of a refresh's write. */
async function rawUpdateOps(kind, url) {
  const table = `lkb_raw_${crypto.randomBytes(3).toString("hex")}`;
  if (kind === "sqlite") {
    const Database = require("better-sqlite3");
    const db = new Database(url.slice("sqlite:".length));
    db.pragma("journal_mode = WAL");
    db.exec(`create table ${table} (id integer primary key, v text)`);
    db.prepare(`insert into ${table} values (1, 'x')`).run();
    const stmt = db.prepare(`update ${table} set v = ? where id = 1`);
    const ops = await opsPerSecondCount((i) => stmt.run(String(i)), REFRESH_OPS);
    db.exec(`drop table ${table}`);
    db.close();
    return ops;
  }
  if (kind === "mysql") {
    const mysql = require("mysql2/promise");
    const conn = await mysql.createConnection(url);
    await conn.query(`create table ${table} (id int primary key, v varchar(64))`);
    await conn.query(`insert into ${table} values (1, 'x')`);
    const ops = await opsPerSecondCount((i) => conn.execute(`update ${table} set v = ? where id = 1`, [String(i)]), REFRESH_OPS);
    await conn.query(`drop table ${table}`);
    await conn.end();
    return ops;
  }
  const { Client } = require("pg");
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`create table ${table} (id int primary key, v varchar(64))`);
  await client.query(`insert into ${table} values (1, 'x')`);
  const ops = await opsPerSecondCount((i) => client.query(`update ${table} set v = $1 where id = 1`, [String(i)]), REFRESH_OPS);
  await client.query(`drop table ${table}`);
  await client.end();
  return ops;
}

/** Raw RS256 signatures/s: every refresh and every new session signs one access token. */
async function rawSignOps() {
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const data = Buffer.from("x".repeat(400));
  return opsPerSecondCount(() => crypto.sign("sha256", data, privateKey), REFRESH_OPS);
}

async function benchStorage(kind, url, rawSign) {
  const prefix = `lkb_${crypto.randomBytes(3).toString("hex")}_`;
  init(url, prefix);
  let refreshToken = (await Session.createNewSessionWithoutRequestResponse("bench-user")).getAllSessionTokensDangerously().refreshToken;
  // Each refresh uses the child the previous one issued, as a client does.
  const refresh = await opsPerSecondCount(async () => {
    refreshToken = (await Session.refreshSessionWithoutRequestResponse(refreshToken)).getAllSessionTokensDangerously().refreshToken;
  }, REFRESH_OPS);
  const create = await opsPerSecondCount(() => Session.createNewSessionWithoutRequestResponse("bench-user"), REFRESH_OPS);
  await dropTables(prefix);
  await resetForTests();
  init(url, prefix, { enableBlacklisting: true });
  const token = (await Session.createNewSessionWithoutRequestResponse("bench-user")).getAccessToken();
  await Session.getSession(token);
  const blacklisted = await opsPerSecond(() => Session.getSession(token), VERIFY_MS);
  await dropTables(prefix);
  await resetForTests();
  const raw = await rawUpdateOps(kind, url);
  return {
    refreshes_per_s: refresh,
    sessions_created_per_s: create,
    raw_driver_update_per_s: raw,
    ratio_refresh_to_raw_update: +(refresh / raw).toFixed(3),
    raw_rs256_sign_per_s: rawSign,
    ratio_refresh_to_raw_sign: +(refresh / rawSign).toFixed(3),
    getSession_with_blacklisting_per_s: blacklisted,
  };
}

async function main() {
  const kinds = (process.argv[2] || "sqlite,mysql,postgres").split(",");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-bench-"));
  const result = {
    benchmark: "session",
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.arch()}` },
    runs_per_figure: RUNS,
    verify: await benchVerify(databaseUrl("sqlite", dir)),
    storage: {},
  };
  const rawSign = await rawSignOps();
  for (const kind of kinds) result.storage[kind] = await benchStorage(kind, databaseUrl(kind, dir), rawSign);
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
