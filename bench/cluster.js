// Issue 26 item 5: sign-in-free mixed load (session creation, verify, refresh, sign-out) against (a) one MariaDB
// server with one app process and (b) a 3-node Galera cluster with three app processes, one per node, behind a
// round-robin client. Rounds interleave the two setups; the load generator runs in its own process. It starts and
// stops its own cluster on ports/dirs apart from the test suite's (CI may be using those at the same moment).
// Usage: node bench/cluster.js [--quick]   (prints one JSON object; writes nothing into bench/results.json)
"use strict";
const { fork } = require("node:child_process");
const os = require("node:os");

const QUICK = process.argv.includes("--quick");
const ROUNDS = QUICK ? 1 : 3;
const ROUND_MS = QUICK ? 2000 : 5000;
const USERS = 8; // concurrent virtual users in the load generator
const SINGLE_URL = process.env.LATCHKEY_TEST_MYSQL_URL || "mysql://root@127.0.0.1:3306/test";
// Not the suite's cluster (3311-3313, /var/tmp/latchkey-galera): a second one the benchmark owns.
process.env.LATCHKEY_GALERA_BASE_PORT = process.env.LATCHKEY_BENCH_GALERA_BASE_PORT || "3330";
process.env.LATCHKEY_GALERA_DIR = process.env.LATCHKEY_BENCH_GALERA_DIR || "/var/tmp/latchkey-galera-bench";
const KINDS = ["create", "verify", "refresh", "signout"];
const NOTE =
  "On a 2-core machine the three app processes, three mariadbd and the load generator share two cores: the cluster " +
  "figures show the overhead of certification and replication and the conflict rate, not a speed-up.";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) });
const loadavg = () => os.loadavg().map((x) => +x.toFixed(2));

// ---- load generator (child process): a closed loop of USERS virtual users, each request on the next app ----
async function worker({ baseUrls, ms, tag }) {
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const errors = [];
  let next = 0;
  let sessions = 0;
  const request = async (kind, method, route, token, body) => {
    const headers = { "st-auth-mode": "header" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body) headers["content-type"] = "application/json";
    const base = baseUrls[next++ % baseUrls.length];
    const res = await fetch(`${base}${route}`, {
      method,
      headers,
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    if (res.status !== 200) {
      if (errors.length < 20) errors.push(`${kind} on ${base}: ${res.status} ${text.slice(0, 200)}`);
      else errors.push(kind);
      return null;
    }
    counts[kind]++;
    return { access: res.headers.get("st-access-token"), refresh: res.headers.get("st-refresh-token") };
  };
  const end = Date.now() + ms;
  const user = async (u) => {
    for (let i = 0; Date.now() < end; i++) {
      const created = await request("create", "POST", "/__session", null, { userId: `${tag}-${u}-${i}` });
      if (!created) continue;
      sessions++;
      // A session's life: a few verifications per refresh, then sign-out.
      if (!(await request("verify", "GET", "/me", created.access))) continue;
      if (!(await request("verify", "GET", "/me", created.access))) continue;
      const refreshed = await request("refresh", "POST", "/auth/session/refresh", created.refresh);
      if (!refreshed) continue;
      if (!(await request("verify", "GET", "/me", refreshed.access))) continue;
      await request("signout", "POST", "/auth/signout", refreshed.access);
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: USERS }, (_, u) => user(u)));
  const seconds = (Date.now() - started) / 1000;
  return {
    seconds,
    sessions,
    opsPerSecond: Object.fromEntries(KINDS.map((k) => [k, +(counts[k] / seconds).toFixed(1)])),
    errorCount: errors.length,
    errors: errors.filter((e) => e.includes(" ")),
  };
}

if (process.argv[2] === "--worker") {
  process.once("message", (job) =>
    worker(job).then(
      (r) => process.send(r, () => process.exit(0)),
      (err) => process.send({ crash: String(err && err.stack ? err.stack : err) }, () => process.exit(1)),
    ),
  );
}

// ---- main: cluster, app processes, interleaved rounds ----
let harness;

function generate(baseUrls, tag) {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ["--worker"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.once("message", (r) => (r.crash ? reject(new Error(r.crash)) : resolve(r)));
    child.once("exit", (code) => code !== 0 && reject(new Error(`load generator exited ${code}`)));
    child.send({ baseUrls, ms: ROUND_MS, tag });
  });
}

async function conflicts(apps) {
  const rs = await harness.reports(apps);
  return {
    retried: rs.reduce((n, r) => n + r.retried, 0),
    gaveUp: rs.reduce((n, r) => n + r.gaveUp, 0),
    perProcess: rs.map((r) => r.retried),
  };
}

async function main() {
  const started = Date.now();
  const loadStart = loadavg();
  const setups = [];
  let clusterUp = false;
  try {
    const singlePrefix = harness.freshPrefix();
    const clusterPrefix = harness.freshPrefix();
    process.stderr.write(`starting galera (base port ${process.env.LATCHKEY_GALERA_BASE_PORT})...\n`);
    clusterUp = true;
    await harness.galera("start");
    setups.push({
      name: "single: 1 MariaDB server, 1 app process",
      apps: [await harness.startApp(SINGLE_URL, singlePrefix)],
    });
    const nodes = [];
    for (const n of [1, 2, 3]) nodes.push(await harness.startApp(n, clusterPrefix));
    setups.push({ name: "cluster: 3-node Galera, 3 app processes (one per node), round-robin", apps: nodes });
    // Warm-up, one process at a time: migrations and the signing key on the first use, outside the timed rounds.
    for (const s of setups)
      for (const a of s.apps) await harness.call(a, "warm", "POST", "/__session", undefined, { userId: "warm" });
    for (const s of setups) s.rounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of setups) {
        const before = await conflicts(s.apps);
        const res = await generate(
          s.apps.map((a) => a.baseUrl),
          `r${r}-${s.apps.length}`,
        );
        const after = await conflicts(s.apps);
        res.conflictsRetried = after.retried - before.retried;
        res.conflictsGaveUp = after.gaveUp - before.gaveUp;
        res.retriedPerProcess = after.perProcess.map((n, i) => n - before.perProcess[i]);
        res.loadavg = loadavg();
        s.rounds.push(res);
        process.stderr.write(`round ${r + 1}/${ROUNDS} ${s.apps.length} app(s): ${JSON.stringify(res.opsPerSecond)}\n`);
      }
    }
  } finally {
    for (const s of setups) await harness.stopApps(s.apps);
    if (clusterUp) await harness.galera("stop").catch((e) => process.stderr.write(`${e.message}\n`));
  }
  const result = {
    benchmark: "cluster",
    quick: QUICK,
    note: NOTE,
    rounds: ROUNDS,
    roundSeconds: ROUND_MS / 1000,
    virtualUsers: USERS,
    mix: "per session: create, verify x2, refresh, verify, sign-out; each request on the next app process",
    galera: { basePort: Number(process.env.LATCHKEY_GALERA_BASE_PORT), dir: process.env.LATCHKEY_GALERA_DIR },
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    loadavgAtStart: loadStart,
    loadavgAtEnd: loadavg(),
    wallSeconds: Math.round((Date.now() - started) / 1000),
    setups: setups.map((s) => ({
      setup: s.name,
      opsPerSecond: Object.fromEntries(KINDS.map((k) => [k, spread(s.rounds.map((r) => r.opsPerSecond[k]))])),
      sessionsPerRound: s.rounds.map((r) => r.sessions),
      errorCount: s.rounds.reduce((n, r) => n + r.errorCount, 0),
      errors: s.rounds.flatMap((r) => r.errors).slice(0, 10),
      conflictsRetried: s.rounds.reduce((n, r) => n + r.conflictsRetried, 0),
      conflictsGaveUp: s.rounds.reduce((n, r) => n + r.conflictsGaveUp, 0),
      retriedPerRound: s.rounds.map((r) => r.retriedPerProcess),
      loadavgAfterEachRound: s.rounds.map((r) => r.loadavg),
    })),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (result.setups.some((s) => s.errorCount > 0)) throw new Error("errors under load (see errors above)");
}

function runMain() {
  require("tsx/cjs");
  harness = require("../test/cluster/harness.ts");
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
      process.exit(1);
    },
  );
}

if (process.argv[2] !== "--worker") runMain();
