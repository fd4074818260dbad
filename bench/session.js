#!/usr/bin/env node
// 3. Session creation, refresh and revoke per second on each database, for each signing algorithm, beside their
// physical limits measured in the same process: a raw signature of the algorithm, and a raw driver insert/update/
// delete of one row by primary key on the same database; and beside better-auth's sign-in, the closest thing it
// has to creating a session (it includes a password hash). One JSON object on stdout.
// Usage: node bench/session.js [sqlite,mysql,postgres] [--quick]
"use strict";
require("tsx/cjs");
const crypto = require("node:crypto");
const Session = require("../recipes/session/index").default;
const { setupBetterAuth } = require("./betterAuth");
const c = require("./common");

// Each round runs a function for LENGTHS.roundMs (1 s in a full run); better-auth's sign-in hashes a password, so it
// carries its own count instead.
const measure = (fn) => (fn.ops === undefined ? c.timed(fn, c.LENGTHS.roundMs) : c.counted(fn, fn.ops));

/** The algorithms Latchkey can sign access tokens with (ES256 only if the config option exists). */
function algorithms(url) {
  try {
    c.initLatchkey(url, c.uniquePrefix(), { accessTokenSigningAlgorithm: "ES256" });
    return ["RS256", "ES256"];
  } catch {
    return ["RS256"];
  } finally {
    require("../lib/testing").resetForTests();
  }
}

/** A raw signature of a token-sized input with a fresh key of the algorithm. */
function rawSigner(algorithm) {
  const data = Buffer.from("x".repeat(400));
  if (algorithm === "ES256") {
    const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    return () => crypto.sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
  }
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  return () => crypto.sign("sha256", data, privateKey);
}

/** Raw driver one-row statements by primary key on a table shaped like a small sessions row. */
async function rawRows(kind, url) {
  const table = `lkb_raw_${crypto.randomBytes(3).toString("hex")}`;
  const conn = await c.rawConnection(kind, url);
  await conn.exec(
    `create table ${table} (id varchar(36) primary key, user_id varchar(128) not null, v varchar(64) not null, created_at bigint not null)`,
  );
  await conn.exec(`insert into ${table} values ('fixed', 'u', 'x', 0)`);
  const ids = [];
  return {
    insert: () => {
      const id = crypto.randomUUID();
      ids.push(id);
      return conn.exec(`insert into ${table} (id, user_id, v, created_at) values (?, ?, ?, ?)`, [
        id,
        "bench-user",
        "x",
        Date.now(),
      ]);
    },
    update: (i) => conn.exec(`update ${table} set v = ? where id = ?`, [String(i), "fixed"]),
    delete: () => conn.exec(`delete from ${table} where id = ?`, [ids.pop() ?? "none"]),
    close: async () => {
      await conn.exec(`drop table ${table}`);
      await conn.close();
    },
  };
}

async function benchAlgorithm(kind, url, algorithm, raw, betterAuth) {
  const prefix = c.uniquePrefix();
  c.initLatchkey(url, prefix, algorithm === "RS256" ? {} : { accessTokenSigningAlgorithm: algorithm });
  let refreshToken = (
    await Session.createNewSessionWithoutRequestResponse("bench-user")
  ).getAllSessionTokensDangerously().refreshToken;
  let cycleRefreshToken = (
    await Session.createNewSessionWithoutRequestResponse("bench-user")
  ).getAllSessionTokensDangerously().refreshToken;
  const handles = [];
  const fns = {
    raw_sign: rawSigner(algorithm),
    raw_driver_insert: raw.insert,
    raw_driver_update: raw.update,
    raw_driver_delete: raw.delete,
    latchkey_create: async () => {
      handles.push((await Session.createNewSessionWithoutRequestResponse("bench-user")).getHandle());
    },
    // Each refresh uses the token the previous one issued, as a client does.
    latchkey_refresh: async () => {
      refreshToken = (await Session.refreshSessionWithoutRequestResponse(refreshToken)).getAllSessionTokensDangerously()
        .refreshToken;
    },
    // The whole cycle a client goes through: a refresh, then the first request with the new access token (which is
    // where the refreshed lineage is recorded).
    latchkey_refresh_cycle: async () => {
      const tokens = (
        await Session.refreshSessionWithoutRequestResponse(cycleRefreshToken)
      ).getAllSessionTokensDangerously();
      cycleRefreshToken = tokens.refreshToken;
      await Session.getSessionWithoutRequestResponse(tokens.accessToken);
    },
    latchkey_revoke: () => Session.revokeSession(handles.pop() ?? "none"),
  };
  if (betterAuth) fns.better_auth_signIn = betterAuth;
  const rounds = await c.interleavedRounds(fns, measure);
  const r = Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, Math.round(c.median(v) * 100) / 100]));
  await c.teardownLatchkey(prefix);
  const refreshLimit = Math.min(r.raw_sign, r.raw_driver_update);
  const createLimit = Math.min(r.raw_sign, r.raw_driver_update);
  // Each round's limit from that round's own raw figures, so a ratio compares runs made side by side.
  const limits = rounds.raw_sign.map((sign, i) => Math.min(sign, rounds.raw_driver_update[i]));
  return {
    ...r,
    rounds,
    spread: {
      ratio_create_to_limit: c.ratioSpread(rounds.latchkey_create, limits),
      ratio_refresh_to_limit: c.ratioSpread(rounds.latchkey_refresh, limits),
      ratio_refresh_cycle_to_limit: c.ratioSpread(rounds.latchkey_refresh_cycle, limits),
    },
    ratio_create_to_limit: c.ratio(r.latchkey_create, createLimit),
    ratio_refresh_to_limit: c.ratio(r.latchkey_refresh, refreshLimit),
    ratio_refresh_cycle_to_limit: c.ratio(r.latchkey_refresh_cycle, refreshLimit),
    ratio_revoke_to_raw_delete: c.ratio(r.latchkey_revoke, r.raw_driver_delete),
    limit: r.raw_sign < r.raw_driver_update ? "raw_sign" : "raw_driver_update",
    ...(betterAuth ? { ratio_create_to_better_auth_signIn: c.ratio(r.latchkey_create, r.better_auth_signIn) } : {}),
  };
}

async function benchDatabase(kind, url, algs) {
  const raw = await rawRows(kind, url);
  const ba = await setupBetterAuth(kind, url);
  const signIn = async () => {
    const res = await ba.auth.api.signInEmail({
      body: { email: "bench@example.com", password: "benchpassword1" },
      asResponse: true,
    });
    if (!res.ok) throw new Error(`better-auth sign-in failed: ${res.status}`);
  };
  signIn.ops = c.LENGTHS.bcryptOps;
  const out = {};
  for (const alg of algs) out[alg] = await benchAlgorithm(kind, url, alg, raw, alg === "RS256" ? signIn : undefined);
  await ba.close();
  await raw.close();
  return out;
}

async function main() {
  const dir = c.tempDir();
  const algs = algorithms(c.databaseUrl("sqlite", dir));
  const result = {
    benchmark: "session",
    unit: "operations/s, sequential, one process; spread: [min, median, max] of per-round ratios",
    loadavg_at_start: require("node:os").loadavg(),
    algorithms: algs,
    databases: {},
  };
  for (const kind of c.kinds()) result.databases[kind] = await benchDatabase(kind, c.databaseUrl(kind, dir), algs);
  result.loadavg_at_end = require("node:os").loadavg();
  c.emit(result);
}

c.run(main);
