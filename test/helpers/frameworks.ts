// One app, six frameworks: starts Latchkey behind a chosen framework's adapter with the same app routes, so the
// behaviour suites can run unchanged against each (LATCHKEY_TEST_FRAMEWORK picks one for whole files; the adapter
// suite loops over all of them).
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import express from "express";
import Fastify from "fastify";
import Koa from "koa";
import { type Context, Hono } from "hono";
import { serve } from "@hono/node-server";
import { LatchkeyError } from "../../lib/error";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import * as expressAdapter from "../../lib/framework/express";
import * as fastifyAdapter from "../../lib/framework/fastify";
import * as koaAdapter from "../../lib/framework/koa";
import * as honoAdapter from "../../lib/framework/hono";
import * as fetchAdapter from "../../lib/framework/fetch";
import * as nextAdapter from "../../lib/framework/nextjs";
import { verifySession as expressVerify, type SessionRequest } from "../../recipes/session/framework/express";
import {
  verifySession as fastifyVerify,
  type SessionRequest as FastifySession,
} from "../../recipes/session/framework/fastify";
import { verifySession as koaVerify, type SessionContext } from "../../recipes/session/framework/koa";
import { verifySession as honoVerify } from "../../recipes/session/framework/hono";
import { getSession as fetchGetSession } from "../../recipes/session/framework/fetch";
import { getSessionForRequest as nextGetSession } from "../../recipes/session/framework/nextjs";
import type { SessionContainer } from "../../recipes/session/sessionContainer";
import type { VerifySessionOptions } from "../../recipes/session/types";

/** The frameworks an app can be started on. */
export const FRAMEWORKS = ["express", "fastify", "koa", "hono", "fetch", "nextjs"] as const;
/** One of FRAMEWORKS. */
export type FrameworkName = (typeof FRAMEWORKS)[number];

/** The framework LATCHKEY_TEST_FRAMEWORK names (express when unset); an unknown name fails the run. */
export function testFramework(): FrameworkName {
  const name = process.env.LATCHKEY_TEST_FRAMEWORK ?? "express";
  if (!(FRAMEWORKS as readonly string[]).includes(name)) {
    throw new Error(`LATCHKEY_TEST_FRAMEWORK=${name}: expected one of ${FRAMEWORKS.join(", ")}`);
  }
  return name as FrameworkName;
}

/** What an app route gets, whatever the framework: the JSON body, the session, Latchkey's request/response. */
export interface RouteContext {
  body: Record<string, unknown>;
  session: SessionContainer | undefined;
  req: BaseRequest;
  res: BaseResponse;
}

/** An app route: its result is sent as JSON with status 200; a thrown error goes through the error handlers. */
export interface AppRoute {
  method: "GET" | "POST";
  path: string;
  /** Puts verifySession(options) in front of the route. */
  verify?: VerifySessionOptions;
  handle(ctx: RouteContext): Promise<unknown> | unknown;
}

/** A running app on loopback. */
export interface FrameworkServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts Latchkey's middleware, the routes and the error handlers (Latchkey's, then the app's) on `framework`. */
export async function startFrameworkApp(
  framework: FrameworkName,
  routes: AppRoute[],
  options: { jsonParserFirst?: boolean } = {},
): Promise<FrameworkServer> {
  switch (framework) {
    case "express":
      return listenNode(expressApp(routes, options.jsonParserFirst === true));
    case "fastify":
      return startFastify(routes);
    case "koa":
      return listenNode(http.createServer(koaApp(routes).callback()));
    case "hono":
      return startHono(routes);
    case "fetch":
      return listenNode(http.createServer(nodeBridge(fetchApp(routes))));
    case "nextjs":
      return listenNode(http.createServer(nodeBridge(nextApp(routes))));
  }
}

function appError(err: unknown): { appHandler: true; message: string } {
  return { appHandler: true, message: (err as Error).message };
}

function expressApp(routes: AppRoute[], jsonParserFirst: boolean): http.Server {
  const app = express();
  if (jsonParserFirst) app.use(express.json());
  app.use(expressAdapter.middleware());
  for (const route of routes) {
    const handlers: express.RequestHandler[] = [];
    if (route.verify !== undefined) handlers.push(expressVerify(route.verify) as unknown as express.RequestHandler);
    handlers.push(async (req: SessionRequest, res, next) => {
      try {
        const reqAdapter = new expressAdapter.ExpressRequest(req);
        const body = await reqAdapter.getJSONBody();
        const result = await route.handle({
          body,
          session: req.session,
          req: reqAdapter,
          res: new expressAdapter.ExpressResponse(res),
        });
        if (!res.headersSent) res.json(result);
      } catch (err) {
        next(err);
      }
    });
    if (route.method === "GET") app.get(route.path, ...handlers);
    else app.post(route.path, ...handlers);
  }
  app.use(expressAdapter.errorHandler());
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json(appError(err));
  });
  return http.createServer(app);
}

async function startFastify(routes: AppRoute[]): Promise<FrameworkServer> {
  const app = Fastify();
  await app.register(fastifyAdapter.plugin);
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      ...(route.verify === undefined ? {} : { preHandler: fastifyVerify(route.verify) }),
      handler: async (request, reply) => {
        const req = fastifyAdapter.wrapRequest(request);
        const body = await req.getJSONBody();
        const session = (request as FastifySession).session;
        return route.handle({ body, session, req, res: fastifyAdapter.wrapResponse(reply) });
      },
    });
  }
  const latchkeyErrors = fastifyAdapter.errorHandler();
  app.setErrorHandler(async (err, request, reply) => {
    if (LatchkeyError.isErrorFromAuth(err)) return latchkeyErrors(err, request, reply);
    // Fastify's own refusals of a request that is not Latchkey's (415, a body it cannot parse) keep their 4xx, as
    // its default handler answers them.
    const status = (err as { statusCode?: unknown }).statusCode;
    return reply.code(typeof status === "number" && status >= 400 && status < 500 ? status : 500).send(appError(err));
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

function koaApp(routes: AppRoute[]): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      ctx.status = 500;
      ctx.body = appError(err);
    }
  });
  app.use(koaAdapter.errorHandler());
  app.use(koaAdapter.middleware());
  for (const route of routes) {
    const verify = route.verify === undefined ? undefined : koaVerify(route.verify);
    app.use(async (ctx, next) => {
      if (ctx.method !== route.method || ctx.path !== route.path) return next();
      const run = async (): Promise<void> => {
        const req = koaAdapter.wrapRequest(ctx);
        const body = await req.getJSONBody();
        const res = koaAdapter.wrapResponse(ctx);
        const result = await route.handle({ body, session: (ctx as SessionContext).session, req, res });
        if (!res.isSent()) ctx.body = result;
      };
      if (verify === undefined) return run();
      return verify(ctx, run);
    });
  }
  return app;
}

async function startHono(routes: AppRoute[]): Promise<FrameworkServer> {
  type HonoEnv = { Variables: { session: SessionContainer | undefined } };
  const app = new Hono<HonoEnv>();
  app.use(honoAdapter.middleware());
  for (const route of routes) {
    const handler = async (c: Context<HonoEnv>): Promise<Response> => {
      const req = honoAdapter.wrapRequest(c);
      const body = await req.getJSONBody();
      const res = new honoAdapter.HeadersResponse();
      const result = await route.handle({ body, session: c.get("session"), req, res });
      const answer = res.isSent() ? res.toResponse() : c.json(result as object);
      if (!res.isSent()) honoAdapter.appendHeaders(answer.headers, res.headers);
      return answer;
    };
    const add = route.method === "GET" ? app.get.bind(app) : app.post.bind(app);
    if (route.verify === undefined) add(route.path, handler);
    else add(route.path, honoVerify(route.verify), handler);
  }
  const latchkeyErrors = honoAdapter.errorHandler();
  app.onError((err, c) => (LatchkeyError.isErrorFromAuth(err) ? latchkeyErrors(err, c) : c.json(appError(err), 500)));
  const server = await new Promise<http.Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s as http.Server));
  });
  return nodeServer(server);
}

/** A fetch-style app: the Request, and the raw request target when a node server carried it. */
type FetchApp = (request: Request, connection: fetchAdapter.FetchConnection) => Promise<Response>;

// An app route on Web Request/Response, as a fetch or Next.js route handler would write it.
async function serveFetchRoute(
  route: AppRoute,
  request: Request,
  getSession: (
    request: Request,
    options: VerifySessionOptions,
  ) => Promise<{ session: SessionContainer | undefined; headers: Headers }>,
): Promise<Response> {
  let headers = new Headers();
  try {
    let session: SessionContainer | undefined;
    if (route.verify !== undefined) ({ session, headers } = await getSession(request, route.verify));
    const req = new fetchAdapter.FetchRequest(request);
    const res = new fetchAdapter.HeadersResponse();
    const body = await req.getJSONBody();
    const result = await route.handle({ body, session, req, res });
    const answer = res.isSent() ? res.toResponse() : Response.json(result);
    fetchAdapter.appendHeaders(answer.headers, headers);
    fetchAdapter.appendHeaders(answer.headers, res.headers);
    return answer;
  } catch (err) {
    return (await fetchAdapter.errorToResponse(err, request, headers)) ?? Response.json(appError(err), { status: 500 });
  }
}

function findRoute(routes: AppRoute[], request: Request): AppRoute | undefined {
  const path = new URL(request.url).pathname;
  return routes.find((r) => r.method === request.method && r.path === path);
}

function fetchApp(routes: AppRoute[]): FetchApp {
  return async (request, connection) => {
    try {
      const answer = await fetchAdapter.handler(request, connection);
      if (answer !== undefined) return answer;
    } catch (err) {
      return Response.json(appError(err), { status: 500 });
    }
    const route = findRoute(routes, request);
    if (route === undefined) return new Response("Not found", { status: 404 });
    return serveFetchRoute(route, request, fetchGetSession);
  };
}

// Next.js routes app/api/auth/[[...path]] to Latchkey's route handlers and the rest to the app's own.
function nextApp(routes: AppRoute[]): FetchApp {
  const auth = nextAdapter.routeHandlers();
  return async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/auth" || path.startsWith("/auth/")) {
      const serve = auth[request.method as keyof typeof auth] as nextAdapter.RouteHandler | undefined;
      return serve === undefined ? new Response(null, { status: 405 }) : serve(request);
    }
    const route = findRoute(routes, request);
    if (route === undefined) return new Response("Not found", { status: 404 });
    return serveFetchRoute(route, request, nextGetSession);
  };
}

/** A node:http listener that carries requests to a fetch-style app, as any Web-standard server does. */
export function nodeBridge(app: FetchApp): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      let request: Request;
      try {
        request = toRequest(req);
      } catch {
        res.statusCode = 400;
        res.end();
        return;
      }
      const answer = await app(request, { rawTarget: req.url ?? "/", remoteAddress: req.socket.remoteAddress });
      // A body the app left unread is read to its end, as node does for its own handlers: left half-read, the
      // connection could not carry the client's next request.
      if (request.body !== null && !request.bodyUsed) await request.arrayBuffer().catch(() => undefined);
      const headers: Record<string, string | string[]> = {};
      answer.headers.forEach((value, name) => {
        if (name !== "set-cookie") headers[name] = value;
      });
      const cookies = answer.headers.getSetCookie();
      if (cookies.length > 0) headers["set-cookie"] = cookies;
      res.writeHead(answer.status, headers);
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => res.destroy());
  };
}

/** Node's request as a Web Request; the body streams through unread. */
export function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i] ?? "", req.rawHeaders[i + 1] ?? "");
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
  } as RequestInit);
}

async function listenNode(server: http.Server): Promise<FrameworkServer> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return nodeServer(server);
}

function nodeServer(server: http.Server): FrameworkServer {
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
