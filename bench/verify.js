#!/usr/bin/env node
// 1. Session verification through the public API (Session.getSessionWithoutRequestResponse) beside raw
// crypto.verify on the same token and key, jsonwebtoken.verify, and better-auth's auth.api.getSession with and
// without its cookie cache on the same database; then the same with blacklisting on. One JSON object on stdout.
// Usage: node bench/verify.js [sqlite,mysql,postgres] [--quick]
"use strict";
require("tsx/cjs");
const crypto = require("node:crypto");
const jwt = require("jsonwebtoken");
const Session = require("../recipes/session/index").default;
const { SessionRecipe } = require("../recipes/session/recipe");
const { setupBetterAuth } = require("./betterAuth");
const c = require("./common");

const measure = (fn) => c.timed(fn, c.LENGTHS.verifyMs);

/** The algorithms Latchkey can sign access tokens with (ES256 only if the config option exists). */
function algorithms(url) {
  const prefix = c.uniquePrefix();
  try {
    c.initLatchkey(url, prefix, { accessTokenSigningAlgorithm: "ES256" });
    return ["RS256", "ES256"];
  } catch {
    return ["RS256"];
  } finally {
    require("../lib/testing").resetForTests();
  }
}

/** A token of a fresh session and the raw verify of it with the very key object Latchkey verifies with. */
async function tokenAndRawVerify(algorithm) {
  const session = await Session.createNewSessionWithoutRequestResponse("bench-user", { role: "admin" });
  const token = session.getAccessToken();
  await Session.getSessionWithoutRequestResponse(token); // warm the key cache
  const kid = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString()).kid;
  const key = SessionRecipe.getInstanceOrThrow().keys.getVerificationKey(kid).publicKey;
  const dot = token.lastIndexOf(".");
  const signed = Buffer.from(token.slice(0, dot));
  const signature = Buffer.from(token.slice(dot + 1), "base64url");
  const rawVerify =
    algorithm === "ES256"
      ? () => crypto.verify("sha256", signed, { key, dsaEncoding: "ieee-p1363" }, signature)
      : () => crypto.verify("sha256", signed, key, signature);
  if (!rawVerify()) throw new Error("raw verify rejected Latchkey's token");
  return { token, key, rawVerify };
}

async function benchDatabase(kind, url, algs) {
  const out = {};
  // Blacklisting off: no database call on Latchkey's side, so these are the same on every database, but they are
  // measured beside better-auth on this database so the ratio is side by side.
  let prefix = c.uniquePrefix();
  c.initLatchkey(url, prefix, {});
  const { token, key, rawVerify } = await tokenAndRawVerify("RS256");
  const baDb = await setupBetterAuth(kind, url, { cookieCache: false });
  const baCache = await setupBetterAuth(kind, url, { cookieCache: true });
  const r = await c.interleaved(
    {
      raw_crypto_verify: rawVerify,
      // jsonwebtoken at its best: the same parsed KeyObject (a PEM string would be re-parsed on every call).
      jsonwebtoken_verify: () => jwt.verify(token, key, { algorithms: ["RS256"] }),
      latchkey: () => Session.getSessionWithoutRequestResponse(token),
      better_auth_getSession_db: () => baDb.auth.api.getSession({ headers: baDb.headers }),
      better_auth_getSession_cookie_cache: () => baCache.auth.api.getSession({ headers: baCache.headers }),
    },
    measure,
  );
  out.rs256 = {
    ...r,
    ratio_latchkey_to_raw: c.ratio(r.latchkey, r.raw_crypto_verify),
    ratio_jsonwebtoken_to_raw: c.ratio(r.jsonwebtoken_verify, r.raw_crypto_verify),
    ratio_latchkey_to_better_auth_db: c.ratio(r.latchkey, r.better_auth_getSession_db),
    ratio_latchkey_to_better_auth_cookie_cache: c.ratio(r.latchkey, r.better_auth_getSession_cookie_cache),
  };
  await c.teardownLatchkey(prefix);

  // Blacklisting on: one primary-key read per verification, against better-auth's one read per getSession.
  prefix = c.uniquePrefix();
  c.initLatchkey(url, prefix, { enableBlacklisting: true });
  const bl = await tokenAndRawVerify("RS256");
  const conn = await c.rawConnection(kind, url);
  const handle = JSON.parse(Buffer.from(bl.token.split(".")[1], "base64url").toString()).sessionHandle;
  const b = await c.interleaved(
    {
      raw_crypto_verify: bl.rawVerify,
      // The read blacklisting adds, alone: the same primary-key select on Latchkey's own table, through the raw driver.
      raw_driver_select: () =>
        conn.exec(`select session_handle from ${prefix}sessions where session_handle = ? and expires_at > ?`, [
          handle,
          Date.now(),
        ]),
      latchkey_blacklisting: () => Session.getSessionWithoutRequestResponse(bl.token),
      better_auth_getSession_db: () => baDb.auth.api.getSession({ headers: baDb.headers }),
    },
    measure,
  );
  out.rs256_blacklisting = {
    ...b,
    ratio_latchkey_to_raw: c.ratio(b.latchkey_blacklisting, b.raw_crypto_verify),
    ratio_latchkey_to_raw_select: c.ratio(b.latchkey_blacklisting, b.raw_driver_select),
    ratio_latchkey_to_better_auth_db: c.ratio(b.latchkey_blacklisting, b.better_auth_getSession_db),
  };
  await conn.close();
  await c.teardownLatchkey(prefix);
  await baDb.close();
  await baCache.close();

  if (algs.includes("ES256")) {
    prefix = c.uniquePrefix();
    c.initLatchkey(url, prefix, { accessTokenSigningAlgorithm: "ES256" });
    const es = await tokenAndRawVerify("ES256");
    const e = await c.interleaved(
      {
        raw_crypto_verify: es.rawVerify,
        jsonwebtoken_verify: () => jwt.verify(es.token, es.key, { algorithms: ["ES256"] }),
        latchkey: () => Session.getSessionWithoutRequestResponse(es.token),
      },
      measure,
    );
    out.es256 = { ...e, ratio_latchkey_to_raw: c.ratio(e.latchkey, e.raw_crypto_verify) };
    await c.teardownLatchkey(prefix);
  }
  return out;
}

async function main() {
  const dir = c.tempDir();
  const algs = algorithms(c.databaseUrl("sqlite", dir));
  const result = { benchmark: "verify", unit: "verifications/s, one process", algorithms: algs, databases: {} };
  for (const kind of c.kinds()) result.databases[kind] = await benchDatabase(kind, c.databaseUrl(kind, dir), algs);
  c.emit(result);
}

c.run(main);
