#!/usr/bin/env node
// The server side of bench/frameworks.js, in its own process so the load generator does not share its event loop:
// the same tiny route two ways (no auth, and behind verifySession / getSession) on express, Fastify, Koa, Hono (on
// @hono/node-server) and the fetch handler under a plain node:http server, each app on its own port with Latchkey's
// middleware in front of both routes. Prints one JSON line with the ports and an access token, then serves until
// its stdin ends. Usage: node bench/frameworksServer.js <database url>
"use strict";
require("tsx/cjs");
const http = require("node:http");
const express = require("express");
const Fastify = require("fastify");
const Koa = require("koa");
const { Hono } = require("hono");
const { serve } = require("@hono/node-server");
const Session = require("../recipes/session/index").default;
const expressAdapter = require("../lib/framework/express");
const fastifyAdapter = require("../lib/framework/fastify");
const koaAdapter = require("../lib/framework/koa");
const honoAdapter = require("../lib/framework/hono");
const fetchAdapter = require("../lib/framework/fetch");
const { verifySession: expressVerify } = require("../recipes/session/framework/express");
const { verifySession: fastifyVerify } = require("../recipes/session/framework/fastify");
const { verifySession: koaVerify } = require("../recipes/session/framework/koa");
const { verifySession: honoVerify } = require("../recipes/session/framework/hono");
const { getSession: fetchGetSession } = require("../recipes/session/framework/fetch");
const c = require("./common");

const ANONYMOUS = { userId: "anonymous" };

function expressApp() {
  const app = express();
  app.use(expressAdapter.middleware());
  app.get("/noauth", (_req, res) => res.json(ANONYMOUS));
  app.get("/latchkey", expressVerify(), (req, res) => res.json({ userId: req.session.getUserId() }));
  app.use(expressAdapter.errorHandler());
  return listen(http.createServer(app));
}

async function fastifyApp() {
  const app = Fastify();
  await app.register(fastifyAdapter.plugin);
  app.setErrorHandler(fastifyAdapter.errorHandler());
  app.get("/noauth", async () => ANONYMOUS);
  app.get("/latchkey", { preHandler: fastifyVerify() }, async (request) => ({ userId: request.session.getUserId() }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  return app.server.address().port;
}

function koaApp() {
  const app = new Koa();
  const verify = koaVerify();
  app.use(koaAdapter.errorHandler());
  app.use(koaAdapter.middleware());
  app.use(async (ctx, next) => {
    if (ctx.method !== "GET") return next();
    if (ctx.path === "/noauth") ctx.body = ANONYMOUS;
    else if (ctx.path === "/latchkey")
      await verify(ctx, async () => void (ctx.body = { userId: ctx.session.getUserId() }));
    else return next();
  });
  return listen(http.createServer(app.callback()));
}

function honoApp() {
  const app = new Hono();
  app.use(honoAdapter.middleware());
  app.onError(honoAdapter.errorHandler());
  app.get("/noauth", (ctx) => ctx.json(ANONYMOUS));
  app.get("/latchkey", honoVerify(), (ctx) => ctx.json({ userId: ctx.get("session").getUserId() }));
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(server.address().port));
  });
}

// What an app on Web Request/Response writes; the node:http bridge below carries requests to it.
async function fetchApp(request, connection) {
  const auth = await fetchAdapter.handler(request, connection);
  if (auth !== undefined) return auth;
  const path = new URL(request.url).pathname;
  if (path === "/noauth") return Response.json(ANONYMOUS);
  if (path !== "/latchkey") return new Response("Not found", { status: 404 });
  try {
    const { session, headers } = await fetchGetSession(request);
    const answer = Response.json({ userId: session.getUserId() });
    fetchAdapter.appendHeaders(answer.headers, headers);
    return answer;
  } catch (err) {
    const answer = await fetchAdapter.errorToResponse(err, request);
    if (answer === undefined) throw err;
    return answer;
  }
}

function fetchOnNode() {
  return listen(
    http.createServer((req, res) => {
      const headers = new Headers();
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const request = new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method,
        headers,
        ...(hasBody ? { body: require("node:stream").Readable.toWeb(req), duplex: "half" } : {}),
      });
      fetchApp(request, { rawTarget: req.url, remoteAddress: req.socket.remoteAddress })
        .then(async (answer) => {
          const out = {};
          answer.headers.forEach((value, name) => name !== "set-cookie" && (out[name] = value));
          const cookies = answer.headers.getSetCookie();
          if (cookies.length > 0) out["set-cookie"] = cookies;
          res.writeHead(answer.status, out);
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => res.destroy());
    }),
  );
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
}

async function main() {
  const [url] = process.argv.slice(2);
  const prefix = c.uniquePrefix();
  c.initLatchkey(url, prefix);
  let token;
  try {
    token = (await Session.createNewSessionWithoutRequestResponse("bench-user", { role: "admin" })).getAccessToken();
  } catch (err) {
    await c.teardownLatchkey(prefix).catch(() => {});
    throw err;
  }
  const ports = {
    express: await expressApp(),
    fastify: await fastifyApp(),
    koa: await koaApp(),
    hono: await honoApp(),
    fetch_node_http: await fetchOnNode(),
  };
  process.stdout.write(`${JSON.stringify({ ports, token })}\n`);
  const stop = async () => {
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
