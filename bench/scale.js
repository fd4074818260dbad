#!/usr/bin/env node
// 6. Scale. (a) Verification throughput with 1 and 2 worker processes (node cluster) sharing one MySQL database:
// the primary creates the sessions, the workers learn the signing keys from the database and verify, without and
// with blacklisting. (b) Refresh throughput as the sessions table grows from 10^3 to 10^6 rows (filler rows are
// bulk-inserted with the raw driver), on each database. One JSON object on stdout.
// Usage: node bench/scale.js [sqlite,mysql,postgres] [--quick]
"use strict";
require("tsx/cjs");
const cluster = require("node:cluster");
const crypto = require("node:crypto");
const Session = require("../recipes/session/index").default;
const c = require("./common");

/** A worker: initialise on the primary's tables, then verify the given tokens for as long as each "go" says. */
function worker() {
  const { BENCH_URL, BENCH_PREFIX, BENCH_BLACKLISTING } = process.env;
  c.initLatchkey(BENCH_URL, BENCH_PREFIX, { enableBlacklisting: BENCH_BLACKLISTING === "1" });
  let tokens = [];
  process.on("message", async (m) => {
    if (m.tokens) {
      tokens = m.tokens;
      for (const t of tokens) await Session.getSessionWithoutRequestResponse(t); // warm: keys from the database
      process.send({ ready: true });
    } else if (m.go) {
      let i = 0;
      const ops = await c.timed(() => Session.getSessionWithoutRequestResponse(tokens[i++ % tokens.length]), m.ms);
      process.send({ ops });
    } else if (m.stop) {
      await require("../lib/testing").resetForTests();
      process.exit(0);
    }
  });
}

const once = (w, key) =>
  new Promise((resolve) => {
    const on = (m) => {
      if (key in m) {
        w.off("message", on);
        resolve(m);
      }
    };
    w.on("message", on);
  });

/**
 * Total verifications/s of one worker alone and of two at once, median of runs; the two shapes alternate, run by
 * run, so that the other load on this machine hits both alike.
 */
async function clusterThroughput(url, prefix, tokens, blacklisting) {
  cluster.setupPrimary({ exec: __filename, args: process.argv.slice(2) });
  const workers = Array.from({ length: 2 }, () =>
    cluster.fork({ BENCH_URL: url, BENCH_PREFIX: prefix, BENCH_BLACKLISTING: blacklisting ? "1" : "0" }),
  );
  await Promise.all(
    workers.map((w) => {
      const ready = once(w, "ready");
      w.send({ tokens });
      return ready;
    }),
  );
  const go = async (ws) => {
    const results = await Promise.all(
      ws.map((w) => {
        const done = once(w, "ops");
        w.send({ go: true, ms: c.LENGTHS.scaleSeconds * 1000 });
        return done;
      }),
    );
    return results.reduce((sum, m) => sum + m.ops, 0);
  };
  const one = [];
  const two = [];
  for (let r = 0; r < c.LENGTHS.runs; r++) {
    one.push(await go(workers.slice(0, 1)));
    two.push(await go(workers));
  }
  await Promise.all(
    workers.map((w) => {
      const exited = new Promise((resolve) => w.once("exit", resolve));
      w.send({ stop: true });
      return exited;
    }),
  );
  return { workers_1: Math.round(c.median(one)), workers_2: Math.round(c.median(two)) };
}

async function benchCluster(url) {
  const prefix = c.uniquePrefix();
  c.initLatchkey(url, prefix);
  const tokens = [];
  for (let i = 0; i < 100; i++)
    tokens.push((await Session.createNewSessionWithoutRequestResponse(`user-${i}`)).getAccessToken());
  const out = {};
  for (const blacklisting of [false, true]) {
    const r = await clusterThroughput(url, prefix, tokens, blacklisting);
    out[blacklisting ? "blacklisting" : "no_blacklisting"] = { ...r, ratio_2_to_1: c.ratio(r.workers_2, r.workers_1) };
  }
  await c.teardownLatchkey(prefix);
  return out;
}

/** Adds filler sessions (live, other users) with the raw driver, in multi-row inserts, until the table has `target`. */
async function growTo(conn, table, from, target) {
  const batch = 1000;
  const now = Date.now();
  const far = now + 100 * 24 * 3600 * 1000;
  const row = `(?, ?, '${"a".repeat(43)}', ${now}, '${"b".repeat(43)}', '{}', '{}', ${now}, ${far})`;
  const sql = `insert into ${table} (session_handle, user_id, refresh_token_hash2, refresh_token_updated_at, refresh_token_secret, session_data, jwt_payload, created_at, expires_at) values ${Array(batch).fill(row).join(", ")}`;
  for (let n = from; n < target; n += batch) {
    const params = [];
    for (let i = 0; i < batch; i++) params.push(crypto.randomUUID(), `filler-${(n + i) % 50_000}`);
    await conn.exec(sql, params);
  }
}

async function benchTableGrowth(kind, url) {
  const prefix = c.uniquePrefix();
  c.initLatchkey(url, prefix);
  let refreshToken = (
    await Session.createNewSessionWithoutRequestResponse("bench-user")
  ).getAllSessionTokensDangerously().refreshToken;
  const refresh = async () => {
    refreshToken = (await Session.refreshSessionWithoutRequestResponse(refreshToken)).getAllSessionTokensDangerously()
      .refreshToken;
  };
  const conn = await c.rawConnection(kind, url);
  const table = `${prefix}sessions`;
  const out = {};
  let rows = 0;
  for (let size = 1000; size <= c.LENGTHS.scaleMaxRows; size *= 10) {
    const start = performance.now();
    await growTo(conn, table, rows, size);
    rows = size;
    const fill_s = +((performance.now() - start) / 1000).toFixed(1);
    const r = await c.interleaved({ refresh }, (fn) => c.counted(fn, c.LENGTHS.ops), 3);
    out[`rows_${size}`] = { refreshes_per_s: r.refresh, fill_seconds: fill_s };
  }
  const figures = Object.values(out).map((x) => x.refreshes_per_s);
  await conn.close();
  await c.teardownLatchkey(prefix);
  return { ...out, ratio_max_to_min: c.ratio(Math.max(...figures), Math.min(...figures)) };
}

async function main() {
  const dir = c.tempDir();
  const result = {
    benchmark: "scale",
    cluster_mysql: await benchCluster(c.databaseUrl("mysql", dir)),
    refresh_vs_table_size: {},
  };
  if (process.argv.includes("--cluster-only")) return c.emit(result);
  for (const kind of c.kinds())
    result.refresh_vs_table_size[kind] = await benchTableGrowth(kind, c.databaseUrl(kind, dir));
  c.emit(result);
}

if (cluster.isPrimary) c.run(main);
else worker();
