#!/usr/bin/env node
// UserRoles (issue 15). 1. Session verification with and without a UserRoleClaim.includes("admin") validator, two
// ways: Session.getSessionWithoutRequestResponse (the token alone), and the request path verifySession runs (the
// fetch adapter's getSession: token from the Authorization header, overrideGlobalClaimValidators called per request,
// response headers). Rounds interleaved (with/without alternating first), min/median/max ops/s, each round's ratio
// (min/median/max), the load average before and after, and the queries the validator costs (counted through knex's
// query event: 0 expected, the roles are in the token and fresh). 2. getRolesForUser for a user with 50 roles out of
// 10,000 (20,000 other assignments): queries per call (1 expected) and the database's plan of it.
// Usage: node bench/roles.js [sqlite,mysql,postgres] [--quick]
"use strict";
require("tsx/cjs");
const Session = require("../recipes/session/index").default;
const UserRoles = require("../recipes/userroles/index").default;
const { UserRoleClaim } = require("../recipes/userroles/index");
const { getSession: getRequestSession } = require("../recipes/session/framework/fetch");
const { Latchkey } = require("../lib/latchkey");
const os = require("node:os");
const c = require("./common");

// --quick (a smoke test in npm run bench -- --quick) keeps the shape with a tenth of the rows, and shorter rounds.
const ROLE_COUNT = c.QUICK ? 1_000 : 10_000;
const USER_ROLES = 50;
const OTHER_USERS = c.QUICK ? 200 : 2_000;
const ROLES_PER_OTHER_USER = 10;
// Many short rounds rather than a few long ones: each round's ratio is taken side by side, and the median of 20
// of them shrugs off the rounds another process's burst fell on.
const ROUNDS = c.QUICK ? 2 : 20;
const ROUND_MS = c.QUICK ? 150 : 250;

function stats(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const round = (x) => Math.round(x);
  return { min: round(sorted[0]), median: round(c.median(sorted)), max: round(sorted[sorted.length - 1]) };
}

/** Counts the statements knex sends while `fn` runs. */
async function countQueries(knex, fn) {
  let n = 0;
  const count = () => void n++;
  knex.on("query", count);
  try {
    await fn();
  } finally {
    knex.removeListener("query", count);
  }
  return n;
}

const loadavg = () => os.loadavg().map((x) => +x.toFixed(2));

/**
 * ops/s of `fn` run in batches for `ms`, per second of wall time and per second of this process's CPU time. On a
 * machine shared with other work the wall figure measures the scheduler as much as the code; the CPU figure counts
 * only the time this process ran, so it is the steadier measure of what a verification costs.
 */
async function timedBoth(fn, ms) {
  let n = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) await fn();
    n += 20;
  }
  const wallSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { wall: n / wallSeconds, cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

/** Interleaved rounds of a pair (round 0 warms up); which runs first alternates, so drift hits both alike. */
async function pair(plain, checked) {
  const wall = { plain: [], includes: [] };
  const cpu = { plain: [], includes: [] };
  for (let r = 0; r < ROUNDS + 1; r++) {
    const order = r % 2 === 0 ? ["plain", "includes"] : ["includes", "plain"];
    for (const name of order) {
      const rates = await timedBoth(name === "plain" ? plain : checked, ROUND_MS);
      if (r === 0) continue; // round 0 warms up
      wall[name].push(rates.wall);
      cpu[name].push(rates.cpu);
    }
  }
  const summary = (samples) => {
    const plainStats = stats(samples.plain);
    const includesStats = stats(samples.includes);
    return {
      opsPerSecond: { plain: plainStats, withUserRoleClaimIncludes: includesStats },
      medianRatio: c.ratio(includesStats.median, plainStats.median),
      // Each round's own ratio: less exposed to the load changing between rounds than the ratio of the medians.
      roundRatio: c.ratioSpread(samples.includes, samples.plain),
      // What the validator adds to one verification, from the medians.
      addedMicroseconds: +(1e6 / includesStats.median - 1e6 / plainStats.median).toFixed(2),
    };
  };
  return { ...summary(wall), perCpuSecond: summary(cpu) };
}

async function verification(knex) {
  await UserRoles.createNewRoleOrAddPermissions("admin", ["orders:write"]);
  await UserRoles.addRoleToUser("public", "bench-admin", "admin");
  const session = await Session.createNewSessionWithoutRequestResponse("bench-admin", {});
  const token = session.getAccessToken();
  // As a route writes it: the validator is built per request, inside the override.
  const withRole = {
    overrideGlobalClaimValidators: (globals) => [...globals, UserRoleClaim.validators.includes("admin")],
  };
  const tokenOnly = {
    plain: () => Session.getSessionWithoutRequestResponse(token, undefined, {}),
    checked: () => Session.getSessionWithoutRequestResponse(token, undefined, withRole),
  };
  const request = new Request("http://localhost:3001/admin", { headers: { authorization: `Bearer ${token}` } });
  const requestPath = {
    plain: () => getRequestSession(request),
    checked: () => getRequestSession(request, withRole),
  };
  for (const f of [tokenOnly.plain, tokenOnly.checked, requestPath.plain, requestPath.checked]) await f();
  const queries = {
    tokenOnly: await countQueries(knex, () => tokenOnly.checked()),
    requestPath: await countQueries(knex, () => requestPath.checked()),
  };
  const loadBefore = loadavg();
  const getSessionWithoutRequestResponse = await pair(tokenOnly.plain, tokenOnly.checked);
  const verifySessionRequestPath = await pair(requestPath.plain, requestPath.checked);
  return {
    loadavg: { before: loadBefore, after: loadavg() },
    getSessionWithoutRequestResponse,
    verifySessionRequestPath,
    queriesPerVerifyWithIncludes: queries,
  };
}

async function explain(knex, kind, builder) {
  const sql = builder.toQuery();
  if (kind === "sqlite") return (await knex.raw(`EXPLAIN QUERY PLAN ${sql}`)).map((r) => r.detail);
  if (kind === "mysql") {
    const [rows] = await knex.raw(`EXPLAIN ${sql}`);
    return rows.map((r) => ({ table: r.table, type: r.type, key: r.key, rows: r.rows, Extra: r.Extra }));
  }
  return (await knex.raw(`EXPLAIN ${sql}`)).rows.map((r) => r["QUERY PLAN"]);
}

async function rolesForUser(knex, kind, prefix) {
  const roles = Array.from({ length: ROLE_COUNT }, (_, i) => ({ role: `role-${String(i).padStart(5, "0")}` }));
  await knex.batchInsert(`${prefix}userroles_roles`, roles, 500);
  const assignments = [];
  for (let i = 0; i < USER_ROLES; i++) {
    assignments.push({
      tenant_id: "public",
      user_id: "user-50",
      role: roles[Math.floor((i * ROLE_COUNT) / USER_ROLES)].role,
    });
  }
  for (let u = 0; u < OTHER_USERS; u++) {
    for (let j = 0; j < ROLES_PER_OTHER_USER; j++) {
      assignments.push({ tenant_id: "public", user_id: `other-${u}`, role: roles[(u * 7 + j * 13) % ROLE_COUNT].role });
    }
  }
  await knex.batchInsert(`${prefix}userroles_user_roles`, assignments, 500);
  if (kind === "postgres") await knex.raw(`ANALYZE ${prefix}userroles_user_roles`);
  else if (kind === "mysql") await knex.raw(`ANALYZE TABLE ${prefix}userroles_user_roles`);
  else await knex.raw("ANALYZE");
  await UserRoles.getRolesForUser("public", "user-50");
  let roleCount = 0;
  const queries = await countQueries(knex, async () => {
    roleCount = (await UserRoles.getRolesForUser("public", "user-50")).roles.length;
  });
  // The statement the store sends (recipes/userroles/store.ts rolesOfUser), planned by the database.
  const builder = knex(`${prefix}userroles_user_roles`)
    .where({ tenant_id: "public", user_id: "user-50" })
    .select("role")
    .orderBy("role");
  const opsPerSecond = await c.timed(() => UserRoles.getRolesForUser("public", "user-50"), ROUND_MS);
  return {
    roles: ROLE_COUNT,
    assignments: assignments.length,
    rolesReturned: roleCount,
    queriesPerCall: queries,
    plan: await explain(knex, kind, builder),
    opsPerSecond: Math.round(opsPerSecond),
  };
}

async function main() {
  const dir = c.tempDir();
  const results = {};
  for (const kind of c.kinds()) {
    const prefix = c.uniquePrefix("lkr");
    c.initLatchkey(c.databaseUrl(kind, dir), prefix, {}, [UserRoles.init()]);
    const knex = Latchkey.getInstanceOrThrow().database.knex;
    try {
      results[kind] = {
        verifySession: await verification(knex),
        getRolesForUser: await rolesForUser(knex, kind, prefix),
      };
    } finally {
      for (const t of ["userroles_user_roles", "userroles_permissions", "userroles_roles"]) {
        await knex.schema.dropTableIfExists(prefix + t);
      }
      await c.teardownLatchkey(prefix);
    }
  }
  c.emit({ benchmark: "roles", machine: c.machine(), results });
}

c.run(main);
