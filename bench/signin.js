#!/usr/bin/env node
// 4. Sign-up and sign-in per second over HTTP on loopback (POST /auth/signup, /auth/signin: bcrypt, user row,
// session, tokens) beside raw bcrypt hash/compare at the same cost and the same concurrency, on each database, one
// at a time and four at a time. The HTTP client (fetch) runs in the same process, so its cost counts against
// Latchkey. One JSON object on stdout. Usage: node bench/signin.js [sqlite,mysql,postgres] [--quick]
"use strict";
require("tsx/cjs");
const bcrypt = require("bcrypt");
const express = require("express");
const EmailPassword = require("../recipes/emailpassword/index").default;
const { middleware, errorHandler } = require("../lib/framework/express");
const c = require("./common");

const COST = 10;
const PASSWORD = "benchpassword1";

async function benchDatabase(kind, url) {
  const prefix = c.uniquePrefix();
  // No brute-force limit: every request comes from one address and would get 429 after the 100th.
  // BENCH_RATE_LIMIT=1 keeps a counter (with a limit never reached) to measure what it costs.
  const rateLimit = process.env.BENCH_RATE_LIMIT === "1" ? { signIn: { perEmail: false, perIp: 1_000_000 } } : false;
  c.initLatchkey(url, prefix, {}, [EmailPassword.init({ bcryptCost: COST, rateLimit })]);
  const app = express();
  app.use(middleware());
  app.use(errorHandler());
  const server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  const post = async (route, email) => {
    const body = JSON.stringify({
      formFields: [
        { id: "email", value: email },
        { id: "password", value: PASSWORD },
      ],
    });
    const res = await fetch(`${base}/auth/${route}`, {
      method: "POST",
      headers: { "content-type": "application/json", "st-auth-mode": "header" },
      body,
    });
    const json = await res.json();
    if (json.status !== "OK") throw new Error(`${route} failed: ${JSON.stringify(json)}`);
  };
  await post("signup", "bench@example.com");
  const hash = await bcrypt.hash(PASSWORD, COST);
  let n = 0;
  const fns = {
    raw_bcrypt_hash: () => bcrypt.hash(PASSWORD, COST),
    latchkey_signup: () => post("signup", `bench${n++}@example.com`),
    raw_bcrypt_compare: () => bcrypt.compare(PASSWORD, hash),
    latchkey_signin: () => post("signin", "bench@example.com"),
  };
  const figures = (r) => ({
    ...r,
    ratio_signup_to_raw_hash: c.ratio(r.latchkey_signup, r.raw_bcrypt_hash),
    ratio_signin_to_raw_compare: c.ratio(r.latchkey_signin, r.raw_bcrypt_compare),
  });
  const sequential = figures(await c.interleaved(fns, (fn) => c.counted(fn, c.LENGTHS.bcryptOps)));
  // Four at a time, as a server sees logins: bcrypt runs on libuv's four threads over both cores. On SQLite only:
  // bcrypt, not the database, sets the pace, and the whole run has to fit in about 15 minutes.
  const concurrent4 =
    kind === "sqlite"
      ? figures(await c.interleaved(fns, (fn) => c.counted(fn, c.LENGTHS.bcryptOps * 2, 4)))
      : undefined;
  await new Promise((resolve) => server.close(resolve));
  await c.teardownLatchkey(prefix);
  return { sequential, ...(concurrent4 ? { concurrent_4: concurrent4 } : {}) };
}

async function main() {
  const dir = c.tempDir();
  const result = { benchmark: "signin", unit: "operations/s", bcrypt_cost: COST, databases: {} };
  for (const kind of c.kinds()) result.databases[kind] = await benchDatabase(kind, c.databaseUrl(kind, dir));
  c.emit(result);
}

c.run(main);
