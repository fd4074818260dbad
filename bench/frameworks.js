#!/usr/bin/env node
// 7. Requests per second behind verifySession vs the same route without auth, per framework (express, Fastify, Koa,
// Hono, the fetch handler under node:http), in one run. The servers run in a child process
// (bench/frameworksServer.js); autocannon (50 connections) runs here. Every round loads each framework's two routes
// back to back, frameworks in turn, the pair's order alternating between rounds, so drift and other load on the
// machine hit both routes alike; the ratio is taken per round from that round's own pair. SQLite only: verifySession
// reads no database (the access token is checked against the signing keys in memory), so the database does not
// change these figures. One JSON object on stdout. Usage: node bench/frameworks.js [--quick]
"use strict";
const { spawn } = require("node:child_process");
const os = require("node:os");
const path = require("node:path");
const autocannon = require("autocannon");
const c = require("./common");

const CONNECTIONS = 50;
const ROUNDS = c.QUICK ? 1 : 5;
const SECONDS = c.QUICK ? 1 : 4;
const ALL_FRAMEWORKS = ["express", "fastify", "koa", "hono", "fetch_node_http"];
// LATCHKEY_BENCH_FRAMEWORKS=fastify,hono measures only those (a before/after of one change fits in minutes).
const FRAMEWORKS = process.env.LATCHKEY_BENCH_FRAMEWORKS
  ? ALL_FRAMEWORKS.filter((f) => process.env.LATCHKEY_BENCH_FRAMEWORKS.split(",").includes(f))
  : ALL_FRAMEWORKS;

function startServer(url) {
  const child = spawn(process.execPath, [path.join(__dirname, "frameworksServer.js"), url], {
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

/** Successful requests/s of one autocannon run; a route that mostly fails is a bench bug, not a figure. */
async function load(port, route, headers, seconds) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${route}`,
    connections: CONNECTIONS,
    duration: seconds,
    headers,
  });
  const failed = r.non2xx + r.errors + r.timeouts;
  if (r["2xx"] < failed) throw new Error(`${route} on ${port}: ${failed} failed requests of ${r.requests.total}`);
  return { rps: r["2xx"] / (r.duration || seconds), p99: r.latency.p99, failed };
}

async function main() {
  const dir = c.tempDir();
  const s = await startServer(c.databaseUrl("sqlite", dir));
  const routes = { no_auth: ["/noauth", {}], verifySession: ["/latchkey", { authorization: `Bearer ${s.token}` }] };
  const samples = Object.fromEntries(FRAMEWORKS.map((f) => [f, { no_auth: [], verifySession: [] }]));
  const loadavg = { at_start: os.loadavg().map((x) => +x.toFixed(2)), after_round: [] };
  try {
    if (!c.QUICK) {
      // One short warm-up run of every route (JIT, connection pools), discarded.
      for (const f of FRAMEWORKS)
        for (const [route, headers] of Object.values(routes)) await load(s.ports[f], route, headers, 1);
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ["no_auth", "verifySession"] : ["verifySession", "no_auth"];
      for (const f of FRAMEWORKS) {
        for (const name of order) samples[f][name].push(await load(s.ports[f], ...routes[name], SECONDS));
      }
      loadavg.after_round.push(+os.loadavg()[0].toFixed(2));
    }
  } finally {
    s.child.stdin.end();
    await new Promise((resolve) => s.child.once("exit", resolve));
  }
  const frameworks = {};
  for (const f of FRAMEWORKS) {
    const rps = (name) => samples[f][name].map((x) => x.rps);
    frameworks[f] = {
      no_auth_rps: c.spread(rps("no_auth")).map(Math.round),
      verifySession_rps: c.spread(rps("verifySession")).map(Math.round),
      ratio: c.ratioSpread(rps("verifySession"), rps("no_auth")),
      verifySession_p99_ms: c.median(samples[f].verifySession.map((x) => x.p99)),
      failed: [...samples[f].no_auth, ...samples[f].verifySession].reduce((n, x) => n + x.failed, 0),
    };
  }
  loadavg.at_end = os.loadavg().map((x) => +x.toFixed(2));
  c.emit({
    benchmark: "frameworks",
    unit: "requests/s [min, median, max] over rounds; ratio = verifySession / no auth per round [min, median, max]",
    connections: CONNECTIONS,
    rounds: ROUNDS,
    seconds_per_run: SECONDS,
    target_ratio: 0.6,
    headline: "fastify",
    loadavg,
    frameworks,
  });
}

c.run(main);
