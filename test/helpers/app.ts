import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { errorHandler, middleware } from "../../lib/framework/express";
import { resetForTests } from "../../lib/testing";
import Latchkey from "../../lib/index";
import type { RecipeListFunction } from "../../lib/recipeModule";
import type { AppInfo } from "../../lib/types";
import { dropTablesWithPrefix, rawKnex, testDatabaseUrl, uniquePrefix } from "./db";
import { type AppRoute, startFrameworkApp, testFramework } from "./frameworks";

/** The appInfo most tests use. */
export const APP_INFO: AppInfo = {
  appName: "Test",
  apiDomain: "http://localhost:3001",
  websiteDomain: "http://localhost:3000",
};

/** An initialised Latchkey on the run's test database, with its own table prefix. */
export interface TestLatchkey {
  url: string;
  prefix: string;
  /** Resets the singleton and drops the tables this test created. */
  cleanup(): Promise<void>;
}

/** Initialises Latchkey on the test database with a fresh prefix. */
export function initLatchkey(recipeList: RecipeListFunction[], appInfo: AppInfo = APP_INFO): TestLatchkey {
  const url = testDatabaseUrl();
  const prefix = uniquePrefix();
  Latchkey.init({ appInfo, database: url, tablePrefix: prefix, recipeList });
  return {
    url,
    prefix,
    cleanup: async () => {
      await resetForTests();
      const knex = rawKnex(url);
      try {
        await dropTablesWithPrefix(knex, prefix);
      } finally {
        await knex.destroy();
      }
    },
  };
}

/** A running express app on loopback. */
export interface TestServer {
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts an express app with Latchkey's middleware and error handler around `addRoutes`. Without `addRoutes`, on
 * the framework LATCHKEY_TEST_FRAMEWORK names (express by default), with `routes` (written once for every framework).
 */
export async function startApp(
  options: { jsonParserFirst?: boolean; addRoutes?: (app: express.Express) => void; routes?: AppRoute[] } = {},
): Promise<TestServer> {
  const framework = testFramework();
  if (options.addRoutes === undefined && (framework !== "express" || options.routes !== undefined)) {
    return startFrameworkApp(framework, options.routes ?? [], options);
  }
  // express routes cannot run elsewhere: such a test is express's own, and must not pass for another framework.
  if (framework !== "express") throw new Error(`this test adds express routes; it cannot run on ${framework}`);
  const app = express();
  if (options.jsonParserFirst === true) app.use(express.json());
  app.use(middleware());
  options.addRoutes?.(app);
  app.use(errorHandler());
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ appHandler: true, message: (err as Error).message });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
