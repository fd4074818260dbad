#!/usr/bin/env node
// 2. HTTP throughput on loopback: the same express route with no auth, behind verifySession(), and behind
// better-auth's getSession (database, and cookie cache), under autocannon (50 connections). The server runs in a
// child process; autocannon runs here. One JSON object on stdout.
// Usage: node bench/http.js [sqlite,mysql,postgres] [--quick]
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");
const autocannon = require("autocannon");
const c = require("./common");

const CONNECTIONS = 50;

/** Starts bench/httpServer.js on a database and resolves with its port and credentials. */
function startServer(kind, url) {
  const child = spawn(process.execPath, [path.join(__dirname, "httpServer.js"), kind, url], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (d) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl !== -1) resolve({ child, ...JSON.parse(buf.slice(0, nl)) });
    });
    child.on("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

/** Successful requests/s of one autocannon run; failures are counted, and a route that mostly fails is a bench bug. */
async function load(port, route, headers) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${route}`,
    connections: CONNECTIONS,
    duration: c.LENGTHS.httpSeconds,
    headers,
  });
  const failed = r.non2xx + r.errors + r.timeouts;
  if (r["2xx"] < failed) throw new Error(`${route}: ${failed} failed requests of ${r.requests.total}`);
  return {
    rps: +(r["2xx"] / (r.duration || c.LENGTHS.httpSeconds)).toFixed(1),
    latency_p50_ms: r.latency.p50,
    latency_p99_ms: r.latency.p99,
    failed,
  };
}

async function benchDatabase(kind, url) {
  const s = await startServer(kind, url);
  const routes = {
    no_auth: ["/noauth", {}],
    latchkey_verifySession: ["/latchkey", { authorization: `Bearer ${s.token}` }],
    better_auth_getSession_db: ["/better-auth-db", { cookie: s.betterAuthDbCookie }],
    better_auth_getSession_cookie_cache: ["/better-auth-cookie-cache", { cookie: s.betterAuthCacheCookie }],
  };
  // The headline pair gets several interleaved runs on SQLite; the other databases one run of each (10 s apiece).
  const rounds = kind === "sqlite" ? c.LENGTHS.httpRuns : 1;
  const samples = Object.fromEntries(Object.keys(routes).map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, [route, headers]] of Object.entries(routes)) {
      if (r > 0 && name.startsWith("better_auth")) continue;
      samples[name].push(await load(s.port, route, headers));
    }
  }
  s.child.stdin.end();
  await new Promise((resolve) => s.child.once("exit", resolve));
  const out = {};
  for (const [name, xs] of Object.entries(samples)) {
    const mid = [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)];
    out[name] = { ...mid, runs: xs.length };
  }
  out.ratio_latchkey_to_no_auth = c.ratio(out.latchkey_verifySession.rps, out.no_auth.rps);
  out.ratio_latchkey_to_better_auth_db = c.ratio(out.latchkey_verifySession.rps, out.better_auth_getSession_db.rps);
  out.ratio_latchkey_to_better_auth_cookie_cache = c.ratio(
    out.latchkey_verifySession.rps,
    out.better_auth_getSession_cookie_cache.rps,
  );
  return out;
}

async function main() {
  const dir = c.tempDir();
  const result = {
    benchmark: "http",
    unit: "requests/s",
    connections: CONNECTIONS,
    seconds_per_run: c.LENGTHS.httpSeconds,
    databases: {},
  };
  for (const kind of c.kinds()) result.databases[kind] = await benchDatabase(kind, c.databaseUrl(kind, dir));
  c.emit(result);
}

c.run(main);
