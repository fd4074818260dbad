// The example shop: an express API with Latchkey, and a web page that uses SuperTokens' official frontend SDK
// (supertokens-web-js, unchanged) against it. Run it with `npm run example` and open http://localhost:3001.
// In your own app, import from "latchkey" instead of the relative paths below.
import fs from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import express from "express";
import Latchkey from "../../lib/index";
import { errorHandler, middleware } from "../../lib/framework/express";
import Session from "../../recipes/session/index";
import EmailPassword from "../../recipes/emailpassword/index";
import EmailVerification from "../../recipes/emailverification/index";
import ThirdParty from "../../recipes/thirdparty/index";
import UserRoles, { UserRoleClaim } from "../../recipes/userroles/index";
import Passwordless from "../../recipes/passwordless/index";
import TOTP from "../../recipes/totp/index";
import MultiFactorAuth, { FactorIds } from "../../recipes/multifactorauth/index";
import Dashboard from "../../recipes/dashboard/index";
import UserMetadata from "../../recipes/usermetadata/index";
import { startDemoProvider } from "./demoProvider";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/express";

/** Options of the example (the tests start it with their own). */
export interface ShopOptions {
  /** Port of the API (and of the page, unless websitePort is set); 0 picks a free one. Default 3001. */
  port?: number;
  /** Serve the page from a second server on this port: another origin, so the SDK talks to the API over CORS. */
  websitePort?: number;
  /** Default: the embedded SQLite file ./latchkey.sqlite. */
  database?: string;
  tablePrefix?: string;
  /** Seconds; short values let the tests see the SDK refresh on its own. */
  accessTokenValidity?: number;
  /**
   * The key of the admin dashboard at {apiDomain}/auth/dashboard (at least 16 characters). Default: the environment's
   * DASHBOARD_API_KEY; without either the shop has no dashboard.
   */
  dashboardApiKey?: string;
}

/** Where the demo provider sends the browser back; the page finishes the sign-in there. */
const CALLBACK_PATH = "/auth/callback/demo";

/** A running shop. */
export interface RunningShop {
  apiDomain: string;
  websiteDomain: string;
  /** Reset and verification links "sent" in development, newest last (the example has no SMTP server). */
  outbox: { to: string; link: string; kind: "reset-password" | "verify-email" | "sign-in-code"; code?: string }[];
  /** The demo OpenID provider's address. */
  demoIssuer: string;
  close(): Promise<void>;
}

const PUBLIC = path.join(__dirname, "public");
const SDK_DIR = path.dirname(require.resolve("supertokens-web-js/package.json"));

/** Starts the API (and the page) and returns where they listen. */
export async function startShop(options: ShopOptions = {}): Promise<RunningShop> {
  const api = express();
  const apiServer = await listen(api, options.port ?? 3001);
  const apiDomain = `http://localhost:${(apiServer.address() as AddressInfo).port}`;
  const site = options.websitePort === undefined ? undefined : express();
  const siteServer = site === undefined ? undefined : await listen(site, options.websitePort ?? 0);
  const websiteDomain =
    siteServer === undefined ? apiDomain : `http://localhost:${(siteServer.address() as AddressInfo).port}`;
  const outbox: RunningShop["outbox"] = [];
  const dashboardApiKey = options.dashboardApiKey ?? process.env.DASHBOARD_API_KEY;
  // "Continue with the demo provider": a real OpenID provider in this process, on a free port.
  const demo = await startDemoProvider([`${websiteDomain}${CALLBACK_PATH}`]);

  Latchkey.init({
    appInfo: { appName: "Shop", apiDomain, websiteDomain },
    ...(options.database !== undefined ? { database: options.database } : {}),
    ...(options.tablePrefix !== undefined ? { tablePrefix: options.tablePrefix } : {}),
    recipeList: [
      EmailPassword.init({
        emailDelivery: {
          // Development: keep the reset email in an outbox the page can show (and the default logs the link).
          override: (original) => ({
            ...original,
            sendEmail: async (input) => {
              outbox.push({ to: input.user.email, link: input.passwordResetLink, kind: "reset-password" });
              await original.sendEmail(input);
            },
          }),
        },
      }),
      // "Sign in with a code": a 6-digit code and a magic link by email, kept in the outbox in development.
      Passwordless.init({
        contactMethod: "EMAIL",
        flowType: "USER_INPUT_CODE_AND_MAGIC_LINK",
        emailDelivery: {
          override: (original) => ({
            ...original,
            sendEmail: async (input) => {
              outbox.push({
                to: input.email,
                link: input.urlWithLinkCode ?? "",
                kind: "sign-in-code",
                ...(input.userInputCode !== undefined ? { code: input.userInputCode } : {}),
              });
              await original.sendEmail(input);
            },
          }),
        },
      }),
      // Sign-in with an OpenID provider: authorisation code with PKCE, the ID token checked against its keys.
      ThirdParty.init({
        signInAndUpFeature: {
          providers: [
            {
              config: {
                thirdPartyId: "demo",
                name: "Demo OpenID provider",
                issuer: demo.issuer,
                clients: [{ clientId: demo.clientId, clientSecret: demo.clientSecret }],
              },
            },
          ],
        },
      }),
      // OPTIONAL: sessions carry whether the email is verified (the page shows it); REQUIRED would gate routes.
      EmailVerification.init({
        mode: "OPTIONAL",
        emailDelivery: {
          override: (original) => ({
            ...original,
            sendEmail: async (input) => {
              outbox.push({ to: input.user.email, link: input.emailVerifyLink, kind: "verify-email" });
              await original.sendEmail(input);
            },
          }),
        },
      }),
      // Roles in the app's database and in every new session's token (st-role); "admin only" below checks them.
      UserRoles.init(),
      UserMetadata.init(),
      // The admin page: users, their sessions, roles and metadata, for whoever holds the key.
      ...(dashboardApiKey === undefined ? [] : [Dashboard.init({ apiKey: dashboardApiKey })]),
      // Authenticator-app codes. A real app reads the key from its secrets (at least 32 characters, never in the database).
      TOTP.init({ secretEncryptionKey: process.env.TOTP_KEY ?? "example-shop-only-totp-key-do-not-reuse" }),
      // Two-factor sign-in for users who set it up ("Set up two-factor" on the page): once a user has a verified
      // authenticator, every new session must also complete a TOTP code before verifySession lets it through.
      MultiFactorAuth.init({
        override: {
          functions: (original) => ({
            ...original,
            getMFARequirementsForAuth: async (input) => [
              { oneOf: (await input.factorsSetUpForUser).filter((f) => f === FactorIds.TOTP) },
            ],
          }),
        },
      }),
      Session.init({
        ...(options.accessTokenValidity !== undefined ? { accessTokenValidity: options.accessTokenValidity } : {}),
        override: {
          functions: (original) => ({
            ...original,
            createNewSession: async (input) => {
              // Visible to the frontend: the page shows the role and the email.
              const email = (await Latchkey.getUser(input.userId, input.userContext))?.emails[0];
              input.jwtPayload = { ...input.jwtPayload, role: "admin", ...(email !== undefined ? { email } : {}) };
              input.sessionData = { ...input.sessionData, secret: "x" }; // stays in the database
              return original.createNewSession(input);
            },
          }),
        },
      }),
    ],
  });

  // CORS with credentials, for a page on another origin; the SDK's headers come from getAllCORSHeaders().
  api.use((req, res, next) => {
    if (req.headers.origin === websiteDomain && websiteDomain !== apiDomain) {
      res.setHeader("Access-Control-Allow-Origin", websiteDomain);
      res.setHeader("Access-Control-Allow-Credentials", "true");
      res.setHeader("Vary", "Origin");
      if (req.method === "OPTIONS") {
        res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE");
        res.setHeader("Access-Control-Allow-Headers", ["content-type", ...Latchkey.getAllCORSHeaders()].join(", "));
        res.status(204).end();
        return;
      }
    }
    next();
  });
  api.use(express.json());
  api.use(middleware());
  api.get("/api/me", verifySession(), async (req: SessionRequest, res) => {
    const session = req.session!;
    const data = await session.getSessionData();
    // The secret stays on the server: the page only learns that the session carries one.
    res.json({
      userId: session.getUserId(),
      role: session.getJWTPayload().role,
      hasServerSideSecret: data.secret !== undefined,
    });
  });
  // Admins only: the st-role claim in the token must include "admin" (a 403 "invalid claim" otherwise; no query).
  // Make a user an admin with UserRoles.addRoleToUser("public", userId, "admin"); it shows from their next session.
  await UserRoles.createNewRoleOrAddPermissions("admin", ["orders:write"]);
  api.get(
    "/api/admin",
    verifySession({
      overrideGlobalClaimValidators: (globals) => [...globals, UserRoleClaim.validators.includes("admin")],
    }),
    (req: SessionRequest, res) => void res.json({ admin: true, userId: req.session!.getUserId() }),
  );
  api.get("/dev/outbox.json", (_req, res) => {
    if (websiteDomain !== apiDomain) res.setHeader("Access-Control-Allow-Origin", websiteDomain);
    res.json(outbox.slice(-5));
  });
  // The development outbox as a page: the newest five emails, each link one click away.
  api.get("/dev/outbox", (_req, res) => {
    res.type("html").send(outboxPage(outbox.slice(-5).reverse(), websiteDomain));
  });
  api.use(errorHandler());

  for (const app of site === undefined ? [api] : [site]) {
    app.get("/config.js", (_req, res) => {
      res.type("application/javascript").send(`window.SHOP_CONFIG = ${JSON.stringify({ apiDomain, websiteDomain })};`);
    });
    app.get("/sdk/:name.js", (req, res) => {
      const file = fs
        .readdirSync(path.join(SDK_DIR, "bundle"))
        .find((f) => f.startsWith(`${req.params.name}.`) && f.endsWith(".js"));
      if (file === undefined) return void res.status(404).end();
      res.sendFile(path.join(SDK_DIR, "bundle", file));
    });
    app.get(["/auth/reset-password", "/auth/verify-email", "/auth/verify", CALLBACK_PATH], (_req, res) =>
      res.sendFile(path.join(PUBLIC, "index.html")),
    );
    app.use(express.static(PUBLIC));
  }

  return {
    apiDomain,
    websiteDomain,
    outbox,
    demoIssuer: demo.issuer,
    close: async () => {
      await Promise.all(
        [apiServer, siteServer].map((s) => (s === undefined ? undefined : new Promise((r) => s.close(r)))),
      );
      await demo.close();
    },
  };
}

function listen(app: express.Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    // express 5 calls back with the error too (a port in use): the server then has no address.
    const server = app.listen(port, "localhost", (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

function outboxPage(mails: RunningShop["outbox"], websiteDomain: string): string {
  const rows = mails
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.to)}</td><td>${m.kind === "verify-email" ? "Verify your email" : "Reset your password"}</td><td><a href="${escapeHtml(m.link)}">Open the link</a></td></tr>`,
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dev outbox: Shop</title><link rel="stylesheet" href="${escapeHtml(websiteDomain)}/style.css"></head><body><main><h1>Development outbox</h1><p class="sub">Emails the shop would have sent (the newest five, newest first). <a href="${escapeHtml(websiteDomain)}/">Back to the shop</a></p>${
    mails.length === 0
      ? `<p id="outbox-empty">No email yet: use "Forgot password?" or "Send verification email".</p>`
      : `<table id="outbox-mails"><thead><tr><th>To</th><th>Email</th><th>Link</th></tr></thead><tbody>${rows}</tbody></table>`
  }</main></body></html>`;
}

/** What `npm run example` prints when it cannot start: a port in use is named, with the way out. */
export function startupFailure(err: unknown, port: number): string {
  if ((err as { code?: unknown } | null)?.code === "EADDRINUSE") {
    return `Port ${port} is already in use (is another \`npm run example\` running?). Stop it, or run this one on another port: PORT=${port + 1} npm run example`;
  }
  return err instanceof Error ? err.message : String(err);
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3001);
  startShop({ port }).then(
    (shop) =>
      console.log(
        `Shop: open ${shop.websiteDomain} (API ${shop.apiDomain}, database ./latchkey.sqlite, demo OpenID provider ${shop.demoIssuer})`,
      ),
    (err: unknown) => {
      console.error(startupFailure(err, port));
      process.exit(1);
    },
  );
}
