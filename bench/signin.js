#!/usr/bin/env node
// Sign-in benchmark: POST /auth/signin per second over HTTP on loopback (bcrypt compare, user lookup, session
// creation, tokens) beside raw bcrypt compares per second at the same cost, on each database, one at a time and
// four at a time. The HTTP client runs in the same process, so its cost is counted against Latchkey. Prints JSON.
// Usage: node bench/signin.js [sqlite,mysql,postgres]
"use strict";
require("tsx/cjs");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const bcrypt = require("bcrypt");
const express = require("express");
const Latchkey = require("../lib/index");
const Session = require("../recipes/session/index").default;
const EmailPassword = require("../recipes/emailpassword/index").default;
const { middleware, errorHandler } = require("../lib/framework/express");
const { resetForTests } = require("../lib/testing");
const { databaseUrl, dropTables, median } = require("./common");

const RUNS = 5;
const OPS = 30;
const COST = 10;

/** Medians of ops/s for each function, their runs interleaved so drift (thermal, other load) hits both alike. */
async function interleavedOpsPerSecond(fns, concurrency = 1) {
  const results = fns.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (const [i, fn] of fns.entries()) {
      const start = performance.now();
      let started = 0;
      const worker = async () => {
        while (started < OPS) {
          started++;
          await fn();
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      results[i].push(OPS / ((performance.now() - start) / 1000));
    }
  }
  return results.map((xs) => +median(xs).toFixed(2));
}

async function benchDatabase(url) {
  const prefix = `lkb_${crypto.randomBytes(3).toString("hex")}_`;
  Latchkey.init({
    appInfo: { appName: "bench", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
    database: url,
    tablePrefix: prefix,
    // No brute-force limit: every request comes from one address and would get 429 after the 100th.
    recipeList: [Session.init(), EmailPassword.init({ bcryptCost: COST, rateLimit: process.env.BENCH_RATE_LIMIT === "1" ? { signIn: { perEmail: false, perIp: 1_000_000 } } : false })],
  });
  const app = express();
  app.use(middleware());
  app.use(errorHandler());
  const server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  await EmailPassword.signUp("bench@example.com", "benchpassword1");
  const body = JSON.stringify({ formFields: [{ id: "email", value: "bench@example.com" }, { id: "password", value: "benchpassword1" }] });
  const signIn = async () => {
    const res = await fetch(`${base}/auth/signin`, { method: "POST", headers: { "content-type": "application/json", "st-auth-mode": "header" }, body });
    const json = await res.json();
    if (json.status !== "OK") throw new Error(`sign-in failed: ${JSON.stringify(json)}`);
  };
  await signIn();
  const hash = await bcrypt.hash("benchpassword1", COST);
  const compare = () => bcrypt.compare("benchpassword1", hash);
  const [raw, latchkey] = await interleavedOpsPerSecond([compare, signIn]);
  // Four at a time, as a server sees logins: bcrypt runs on libuv's four threads over both cores.
  const [raw4, latchkey4] = await interleavedOpsPerSecond([compare, signIn], 4);
  await new Promise((resolve) => server.close(resolve));
  await dropTables(prefix);
  await resetForTests();
  return {
    raw_bcrypt_compare_per_s: raw,
    latchkey_signin_http_per_s: latchkey,
    ratio_signin_to_raw_bcrypt: +(latchkey / raw).toFixed(3),
    target: "signin >= 0.9 x raw bcrypt compare (sequential)",
    target_met: latchkey / raw >= 0.9,
    concurrent_4: {
      raw_bcrypt_compare_per_s: raw4,
      latchkey_signin_http_per_s: latchkey4,
      ratio_signin_to_raw_bcrypt: +(latchkey4 / raw4).toFixed(3),
    },
  };
}

async function main() {
  const kinds = (process.argv[2] || "sqlite,mysql,postgres").split(",");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-bench-"));
  const result = {
    benchmark: "signin",
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    bcrypt_cost: COST,
    sequential_ops_per_run: OPS,
    runs_per_figure: RUNS,
    databases: {},
  };
  for (const kind of kinds) {
    result.databases[kind] = await benchDatabase(databaseUrl(kind, dir));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
