#!/usr/bin/env node
// Passwordless codes per second on each database: creating a code (Passwordless.createCode: a device and a code row
// in one transaction, secrets hashed) and consuming one (consumeCode: the device locked, every code compared, the
// device deleted, the user found), beside the raw limit: one sha256 and one INSERT through the bare driver on the same
// database. Runs interleaved (raw, create, consume, raw, ...); min / median / max of the runs' ops/s.
// One JSON object on stdout. Usage: node bench/passwordless.js [sqlite,mysql,postgres] [--quick]
"use strict";
require("tsx/cjs");
const crypto = require("node:crypto");
const Passwordless = require("../recipes/passwordless/index").default;
const c = require("./common");

const TABLES = ["passwordless_users", "passwordless_devices", "passwordless_codes", "passwordless_rate_limits"];

function spread(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x) => Math.round(x * 10) / 10;
  return { min: round(sorted[0]), median: round(c.median(sorted)), max: round(sorted[sorted.length - 1]) };
}

async function benchDatabase(kind, url) {
  const prefix = c.uniquePrefix();
  c.initLatchkey(url, prefix, {}, [
    Passwordless.init({
      contactMethod: "EMAIL",
      flowType: "USER_INPUT_CODE",
      emailDelivery: { override: (o) => ({ ...o, sendEmail: () => Promise.resolve() }) },
      rateLimit: false,
    }),
  ]);
  // The user exists before the runs: consuming measures a sign-in, not the one-off sign-up.
  await Passwordless.signInUp({ email: "bench@example.com" });
  const raw = await c.rawConnection(kind, url);
  const rawTable = `${prefix}raw_codes`;
  await raw.exec(`create table ${rawTable} (code_hash varchar(64) primary key, created_at bigint not null)`);
  // --quick only checks that it works (npm run bench -- --quick runs every benchmark): a few seconds in all.
  const ops = c.QUICK ? 20 : c.LENGTHS.ops;
  let pending = [];
  const fns = {
    raw_sha256_insert: async () => {
      const hash = crypto.createHash("sha256").update(crypto.randomBytes(32)).digest("hex");
      await raw.exec(`insert into ${rawTable} (code_hash, created_at) values (?, ?)`, [hash, Date.now()]);
    },
    latchkey_create_code: async () => {
      pending.push(await Passwordless.createCode({ email: "bench@example.com" }));
    },
    latchkey_consume_code: async (i) => {
      const code = pending[i];
      const result = await Passwordless.consumeCode({
        userInputCode: code.userInputCode,
        deviceId: code.deviceId,
        preAuthSessionId: code.preAuthSessionId,
      });
      if (result.status !== "OK") throw new Error(`consume failed: ${result.status}`);
    },
  };
  const samples = Object.fromEntries(Object.keys(fns).map((n) => [n, []]));
  for (let run = 0; run <= c.LENGTHS.runs; run++) {
    for (const name of Object.keys(fns)) {
      // Consume takes the codes the create run just made (its run is the same length).
      if (name === "latchkey_create_code") pending = [];
      const opsPerSecond = await c.counted(fns[name], ops);
      if (run > 0) samples[name].push(opsPerSecond); // run 0 warms up
    }
  }
  const result = Object.fromEntries(Object.entries(samples).map(([n, s]) => [n, spread(s)]));
  result.ratio_create_to_raw = c.ratio(result.latchkey_create_code.median, result.raw_sha256_insert.median);
  result.ratio_consume_to_raw = c.ratio(result.latchkey_consume_code.median, result.raw_sha256_insert.median);
  await raw.exec(`drop table ${rawTable}`);
  await raw.close();
  const knex = require("../lib/latchkey").Latchkey.getInstanceOrThrow().database.knex;
  for (const t of TABLES) await knex.schema.dropTableIfExists(prefix + t);
  await c.teardownLatchkey(prefix);
  return result;
}

async function main() {
  const dir = c.tempDir();
  const result = {
    benchmark: "passwordless",
    unit: "operations/s (min / median / max of interleaved runs, one at a time)",
    databases: {},
  };
  for (const kind of c.kinds()) result.databases[kind] = await benchDatabase(kind, c.databaseUrl(kind, dir));
  c.emit(result);
}

c.run(main);
