import type express from "express";
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import Session from "../../recipes/session/index";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/express";
import type { TypeInput } from "../../recipes/session/types";
import type { RecipeListFunction } from "../../lib/recipeModule";
import { APP_INFO, initLatchkey, startApp, type TestLatchkey, type TestServer } from "./app";
import { HttpClient } from "./http";
import { type AppRoute, testFramework } from "./frameworks";

/** A Latchkey with the session recipe and an express app with routes that log in and check sessions. */
export interface SessionTestApp {
  lk: TestLatchkey;
  server: TestServer;
  client: HttpClient;
  close(): Promise<void>;
}

/**
 * Routes: POST /login, GET|POST /protected, GET /optional, plus whatever `routes` (on the framework
 * LATCHKEY_TEST_FRAMEWORK names) or `addRoutes` (express only) adds.
 */
export async function startSessionApp(
  sessionConfig: TypeInput = {},
  options: {
    extraRecipes?: RecipeListFunction[];
    addRoutes?: (app: express.Express) => void;
    routes?: AppRoute[];
    appInfo?: typeof APP_INFO;
  } = {},
): Promise<SessionTestApp> {
  const lk = initLatchkey([Session.init(sessionConfig), ...(options.extraRecipes ?? [])], options.appInfo ?? APP_INFO);
  const server = await (options.addRoutes === undefined &&
  (testFramework() !== "express" || options.routes !== undefined)
    ? startApp({ routes: [...SESSION_ROUTES, ...(options.routes ?? [])] })
    : startExpressSessionApp(options.addRoutes));
  // Tables exist from the start, so tests can count rows before the first request.
  await Core.getInstanceOrThrow().database.whenReady();
  const client = new HttpClient(server.baseUrl);
  return {
    lk,
    server,
    client,
    close: async () => {
      await server.close();
      await lk.cleanup();
    },
  };
}

/** The routes of startSessionApp, for any framework. */
export const SESSION_ROUTES: AppRoute[] = [
  {
    method: "POST",
    path: "/login",
    handle: async ({ body, req, res }) => {
      const input = body as { userId: string; jwtPayload?: Record<string, never>; sessionData?: Record<string, never> };
      const session = await Session.createNewSession(
        req,
        res,
        input.userId,
        input.jwtPayload ?? {},
        input.sessionData ?? {},
      );
      return { handle: session.getHandle() };
    },
  },
  ...(["GET", "POST"] as const).map((method): AppRoute => ({
    method,
    path: "/protected",
    verify: {},
    handle: ({ session }) => ({
      userId: session?.getUserId(),
      payload: session?.getJWTPayload(),
      handle: session?.getHandle(),
    }),
  })),
  {
    method: "GET",
    path: "/optional",
    verify: { sessionRequired: false },
    handle: ({ session }) => ({ userId: session?.getUserId() ?? null }),
  },
];

function startExpressSessionApp(addRoutes: ((app: express.Express) => void) | undefined): Promise<TestServer> {
  return startApp({
    jsonParserFirst: true,
    addRoutes: (app) => {
      app.post("/login", async (req, res, next) => {
        try {
          const body = req.body as {
            userId: string;
            jwtPayload?: Record<string, never>;
            sessionData?: Record<string, never>;
          };
          const session = await Session.createNewSession(
            req,
            res,
            body.userId,
            body.jwtPayload ?? {},
            body.sessionData ?? {},
          );
          res.json({ handle: session.getHandle() });
        } catch (err) {
          next(err);
        }
      });
      const protectedHandler = (req: SessionRequest, res: express.Response): void => {
        res.json({
          userId: req.session?.getUserId(),
          payload: req.session?.getJWTPayload(),
          handle: req.session?.getHandle(),
        });
      };
      app.get("/protected", verifySession(), protectedHandler);
      app.post("/protected", verifySession(), protectedHandler);
      app.get("/optional", verifySession({ sessionRequired: false }), (req: SessionRequest, res) => {
        res.json({ userId: req.session?.getUserId() ?? null });
      });
      addRoutes?.(app);
    },
  });
}

export { Latchkey, Session };
