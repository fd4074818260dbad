#!/usr/bin/env node
// The server side of bench/http.js, in its own process so the load generator does not share its event loop:
// one express app with the same tiny route four ways (no auth, verifySession(), better-auth's getSession against
// the database, and with its cookie cache). Prints one JSON line with its port and credentials, then serves
// until killed. Usage: node bench/httpServer.js <sqlite|mysql|postgres> <database url>
"use strict";
require("tsx/cjs");
const express = require("express");
const Session = require("../recipes/session/index").default;
const { verifySession } = require("../recipes/session/framework/express");
const { middleware, errorHandler } = require("../lib/framework/express");
const { setupBetterAuth } = require("./betterAuth");
const c = require("./common");

async function main() {
  const [kind, url] = process.argv.slice(2);
  const prefix = c.uniquePrefix();
  c.initLatchkey(url, prefix);
  let token;
  let baDb;
  let baCache;
  try {
    token = (await Session.createNewSessionWithoutRequestResponse("bench-user", { role: "admin" })).getAccessToken();
    baDb = await setupBetterAuth(kind, url, { cookieCache: false });
    baCache = await setupBetterAuth(kind, url, { cookieCache: true });
  } catch (err) {
    // Leave nothing behind on the shared databases.
    await baDb?.close().catch(() => {});
    await c.teardownLatchkey(prefix).catch(() => {});
    throw err;
  }
  const betterAuthRoute = (ba) => async (req, res) => {
    const headers = new Headers();
    if (req.headers.cookie) headers.set("cookie", req.headers.cookie);
    const s = await ba.auth.api.getSession({ headers });
    if (s === null) res.status(401).json({ message: "unauthorised" });
    else res.json({ userId: s.user.id });
  };
  const app = express();
  app.use(middleware());
  app.get("/noauth", (_req, res) => res.json({ userId: "anonymous" }));
  app.get("/latchkey", verifySession(), (req, res) => res.json({ userId: req.session.getUserId() }));
  app.get("/better-auth-db", betterAuthRoute(baDb));
  app.get("/better-auth-cookie-cache", betterAuthRoute(baCache));
  app.use(errorHandler());
  const server = app.listen(0, "127.0.0.1", () => {
    process.stdout.write(
      `${JSON.stringify({ port: server.address().port, token, betterAuthDbCookie: baDb.cookie, betterAuthCacheCookie: baCache.cookie })}\n`,
    );
  });
  const stop = async () => {
    server.close();
    await baDb.close();
    await baCache.close();
    await c.teardownLatchkey(prefix);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.stdin.on("end", () => void stop()); // the parent went away
  process.stdin.resume();
}

// Not c.run: this process keeps serving after main resolves.
main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
