#!/usr/bin/env node
// Soak test (not run in CI): a mixed load of sign-in, verify, refresh and sign-out over HTTP on loopback for a set
// time, on one database. Each worker is one user's client in header mode: sign in, then rounds of verifying
// requests with a refresh between them, then sign out, and again. Any answer other than the expected one is an error
// (there must be none). Prints one JSON object: errors, latency percentiles per operation, and memory (RSS, heap) at
// the start and the end. The HTTP clients run in the same process as the server, so memory and CPU are both sides'.
// Usage: node bench/soak.js [--seconds 60] [--db sqlite|mysql|postgres] [--workers 8] [--bcrypt-cost 10]
"use strict";
require("tsx/cjs");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const express = require("express");
const Latchkey = require("../lib/index");
const Session = require("../recipes/session/index").default;
const EmailPassword = require("../recipes/emailpassword/index").default;
const { middleware, errorHandler } = require("../lib/framework/express");
const { verifySession } = require("../recipes/session/framework/express");
const { databaseUrl, teardownLatchkey } = require("./common");

function parseArgs(argv) {
  const options = { seconds: 60, db: "sqlite", workers: 8, bcryptCost: 10 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--seconds") options.seconds = Number(value);
    else if (flag === "--db") options.db = value;
    else if (flag === "--workers") options.workers = Number(value);
    else if (flag === "--bcrypt-cost") options.bcryptCost = Number(value);
    else
      throw new Error(
        `unknown option ${flag}: use --seconds N, --db sqlite|mysql|postgres, --workers N, --bcrypt-cost N`,
      );
  }
  if (!(options.seconds > 0) || !(options.workers > 0) || !["sqlite", "mysql", "postgres"].includes(options.db)) {
    throw new Error("--seconds and --workers must be positive, --db one of sqlite, mysql, postgres");
  }
  return options;
}

/** Percentiles (ms) of a list of durations. */
function summarise(samples) {
  const xs = [...samples].sort((a, b) => a - b);
  const at = (p) =>
    xs.length === 0 ? null : +xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))].toFixed(2);
  return {
    count: xs.length,
    p50_ms: at(50),
    p90_ms: at(90),
    p99_ms: at(99),
    max_ms: xs.length === 0 ? null : +xs[xs.length - 1].toFixed(2),
  };
}

const memory = () => {
  const m = process.memoryUsage();
  return {
    rss_mb: +(m.rss / 1048576).toFixed(1),
    heap_used_mb: +(m.heapUsed / 1048576).toFixed(1),
    heap_total_mb: +(m.heapTotal / 1048576).toFixed(1),
  };
};

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-soak-"));
  const prefix = `lks_${crypto.randomBytes(3).toString("hex")}_`;
  Latchkey.init({
    appInfo: { appName: "soak", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
    database: databaseUrl(options.db, dir),
    tablePrefix: prefix,
    recipeList: [
      Session.init(), // The soak signs the same few users in thousands of times from one address: the sign-in limits would (rightly)
      // answer 429, so they are off here.
      EmailPassword.init({ bcryptCost: options.bcryptCost, rateLimit: { signIn: false, signUp: false } }),
    ],
  });
  const app = express();
  app.use(middleware());
  app.get("/protected", verifySession(), (req, res) => res.json({ userId: req.session.getUserId() }));
  app.use(errorHandler());
  const server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const base = `http://127.0.0.1:${server.address().port}`;

  const latencies = { signin: [], verify: [], refresh: [], signout: [] };
  const errors = { signin: 0, verify: 0, refresh: 0, signout: 0 };
  const firstErrors = [];
  async function op(name, method, route, token, body, check) {
    const headers = { "st-auth-mode": "header" };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const started = performance.now();
    let res;
    let json;
    try {
      res = await fetch(`${base}${route}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      json = await res.json();
    } catch (err) {
      json = { fetchError: String(err) };
    }
    latencies[name].push(performance.now() - started);
    if (res === undefined || !check(res, json)) {
      errors[name]++;
      if (firstErrors.length < 10) firstErrors.push({ op: name, status: res?.status, body: json });
      return undefined;
    }
    return res;
  }

  const password = "soakpassword1";
  const users = Array.from({ length: options.workers }, (_, i) => `soak${i}@example.com`);
  for (const email of users) await EmailPassword.signUp(email, password);
  const form = (email) => ({
    formFields: [
      { id: "email", value: email },
      { id: "password", value: password },
    ],
  });

  async function worker(email, until) {
    while (Date.now() < until) {
      const signin = await op(
        "signin",
        "POST",
        "/auth/signin",
        undefined,
        form(email),
        (r, j) => r.status === 200 && j.status === "OK",
      );
      if (signin === undefined) continue;
      let access = signin.headers.get("st-access-token");
      let refresh = signin.headers.get("st-refresh-token");
      // Three rounds of five verified requests with a refresh after each, then sign out.
      for (let round = 0; round < 3 && Date.now() < until; round++) {
        for (let i = 0; i < 5; i++) await op("verify", "GET", "/protected", access, undefined, (r) => r.status === 200);
        const next = await op("refresh", "POST", "/auth/session/refresh", refresh, undefined, (r) => r.status === 200);
        if (next === undefined) break;
        access = next.headers.get("st-access-token");
        refresh = next.headers.get("st-refresh-token");
      }
      await op("signout", "POST", "/auth/signout", access, {}, (r, j) => r.status === 200 && j.status === "OK");
    }
  }

  // A short warm-up (keys, pools, JIT) so the start figures are of a running server, then the soak itself.
  await Promise.all(users.map((email) => worker(email, Date.now() + 2000)));
  for (const k of Object.keys(latencies)) latencies[k] = [];
  for (const k of Object.keys(errors)) errors[k] = 0;
  if (global.gc) global.gc();
  const memoryStart = memory();
  const started = Date.now();
  await Promise.all(users.map((email) => worker(email, started + options.seconds * 1000)));
  const elapsed = (Date.now() - started) / 1000;
  if (global.gc) global.gc();
  const memoryEnd = memory();

  const knex = require("../lib/latchkey").Latchkey.getInstanceOrThrow().database.knex;
  const [{ n: sessionsLeft }] = await knex(`${prefix}sessions`).count({ n: "*" });
  await new Promise((resolve) => server.close(resolve));
  await teardownLatchkey(prefix);
  fs.rmSync(dir, { recursive: true, force: true });

  const operations = Object.fromEntries(
    Object.entries(latencies).map(([k, v]) => [k, { ...summarise(v), errors: errors[k] }]),
  );
  const total = Object.values(latencies).reduce((n, v) => n + v.length, 0);
  console.log(
    JSON.stringify(
      {
        database: options.db,
        seconds: +elapsed.toFixed(1),
        workers: options.workers,
        bcrypt_cost: options.bcryptCost,
        node: process.version,
        gc_exposed: typeof global.gc === "function",
        operations_total: total,
        operations_per_s: +(total / elapsed).toFixed(1),
        errors: Object.values(errors).reduce((a, b) => a + b, 0),
        first_errors: firstErrors,
        operations,
        sessions_left_in_table: Number(sessionsLeft),
        memory_start: memoryStart,
        memory_end: memoryEnd,
      },
      null,
      2,
    ),
  );
  process.exitCode = Object.values(errors).some((n) => n > 0) ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
