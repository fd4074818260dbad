// Run as a separate process: one app process of a clustered deployment, an express app with Latchkey on one node
// of the cluster (the README's scenario: EmailPassword sign-up and sign-in, a createNewSession override that puts a
// role into the access token and a secret into the session data, verifySession, refresh, sign-out).
// Usage: appProcess.ts <database url> <table prefix> [options JSON]; prints its port, serves until killed.
// POST /__reinit { prefix, options } starts Latchkey afresh on another table prefix (as a restarted process would),
// so a test can run many "fresh deployment" rounds without paying for a new node process each time.
import express from "express";
import type { AddressInfo } from "node:net";
import Latchkey from "../../lib/index";
import { errorHandler, middleware } from "../../lib/framework/express";
import { Latchkey as Core } from "../../lib/latchkey";
import { resetForTests } from "../../lib/testing";
import EmailPassword, { type RateLimitInput } from "../../recipes/emailpassword/index";
import Session from "../../recipes/session/index";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/express";

interface Options {
  readReplica?: string;
  rateLimit?: RateLimitInput;
  accessTokenSigningKeyUpdateInterval?: number;
}

const [url, firstPrefix, firstOptions] = process.argv.slice(2);
const thefts: string[] = [];
const errors: string[] = [];

function init(prefix: string, options: Options): void {
  Latchkey.init({
    appInfo: { appName: "cluster", apiDomain: "http://127.0.0.1:3001", websiteDomain: "http://127.0.0.1:3000" },
    database: url,
    ...(options.readReplica === undefined ? {} : { readReplica: options.readReplica }),
    tablePrefix: prefix,
    recipeList: [
      Session.init({
        ...(options.accessTokenSigningKeyUpdateInterval === undefined
          ? {}
          : { accessTokenSigningKeyUpdateInterval: options.accessTokenSigningKeyUpdateInterval }),
        errorHandlers: {
          onTokenTheftDetected: (sessionHandle) => void thefts.push(sessionHandle),
        },
        override: {
          functions: (original) => ({
            ...original,
            createNewSession: async (input) => {
              input.jwtPayload = { ...input.jwtPayload, role: "member" };
              input.sessionData = { ...input.sessionData, secret: "kept in the database" };
              return original.createNewSession(input);
            },
          }),
        },
      }),
      EmailPassword.init({
        bcryptCost: 4,
        ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
      }),
    ],
  });
}

init(firstPrefix ?? "latchkey_", JSON.parse(firstOptions ?? "{}") as Options);

const app = express();
app.use(express.json());
app.post("/__reinit", async (req, res) => {
  const body = req.body as { prefix: string; options?: Options };
  await resetForTests();
  thefts.length = 0;
  errors.length = 0;
  init(body.prefix, body.options ?? {});
  res.json({ ok: true });
});
// What this process saw since its last (re)start: theft reports, errors that reached express (their messages name
// codes, no secrets), and the write conflicts its database layer retried or gave up on.
// A listing (lag-tolerant: on the read replica when one is set).
app.get("/__sessions/:userId", async (req, res) => {
  res.json({ handles: await Session.getAllSessionHandlesForUser(req.params.userId) });
});
app.get("/__reads", (_req, res) => {
  res.json(Core.getInstanceOrThrow().database.lagTolerantReads);
});
app.get("/__report", (_req, res) => {
  const { retried, gaveUp } = Core.getInstanceOrThrow().database.conflicts;
  res.json({ thefts, errors, retried, gaveUp });
});
app.use(middleware());
// Session creation without a password check (the benchmark's sign-in-free load): the user id comes in the body.
app.post("/__session", async (req: express.Request<unknown, unknown, { userId?: unknown }>, res) => {
  const userId = req.body.userId;
  if (typeof userId !== "string" || userId === "") return void res.status(400).json({ status: "BAD_INPUT" });
  await Session.createNewSession(req, res, userId);
  res.json({ status: "OK" });
});
app.get("/me", verifySession(), (req: SessionRequest, res) => {
  res.json({ userId: req.session?.getUserId(), role: req.session?.getJWTPayload().role });
});
app.use((err: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
  errors.push(err instanceof Error ? err.message : String(err));
  next(err);
});
app.use(errorHandler());
const server = app.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
