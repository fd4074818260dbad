// The official SDK's multitenancy recipe (supertokens-web-js, unchanged) in headless Chromium against a Latchkey
// backend with two tenants: getLoginMethods answers each tenant's methods, and the SDK's emailpassword sign-up goes to
// the tenant its (overridden) getTenantId names, making one user per tenant for one email.
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Server } from "node:http";
import { expect } from "chai";
import express from "express";
import { type Browser, chromium, type Page } from "playwright-core";
import Latchkey from "../lib/index";
import { errorHandler, middleware } from "../lib/framework/express";
import { resetForTests } from "../lib/testing";
import EmailPassword from "../recipes/emailpassword/index";
import Multitenancy from "../recipes/multitenancy/index";
import Passwordless from "../recipes/passwordless/index";
import Session from "../recipes/session/index";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SDK_DIR = path.dirname(require.resolve("supertokens-web-js/package.json"));
const BUNDLES = ["supertokens", "website", "session", "emailpassword", "passwordless", "multitenancy"];

// The page: the SDK's bundles, and an init whose multitenancy getTenantId reads window.TENANT (how an app maps a
// subdomain or a picker to a tenant).
const PAGE = `<!doctype html><html><head>${BUNDLES.map((b) => `<script src="/sdk/${b}.js"></script>`).join("")}
<script>
supertokens.init({
  appInfo: { appName: "Tenants", apiDomain: location.origin, apiBasePath: "/auth" },
  recipeList: [
    supertokensSession.init({ tokenTransferMethod: "cookie" }),
    supertokensEmailPassword.init(),
    supertokensPasswordless.init(),
    supertokensMultitenancy.init({
      override: { functions: (o) => ({ ...o, getTenantId: () => window.TENANT }) },
    }),
  ],
});
</script></head><body>tenants</body></html>`;

describe("multitenancy in Chromium with supertokens-web-js's multitenancy recipe", function () {
  let browser: Browser;
  let dbDir: string;
  let server: Server;
  let origin: string;

  before(async () => {
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-tenants-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    const app = express();
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "localhost", () => resolve(s));
    });
    origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    Latchkey.init({
      appInfo: { appName: "Tenants", apiDomain: origin, websiteDomain: origin },
      database: `sqlite:${path.join(dbDir, "tenants.sqlite")}`,
      recipeList: [
        Session.init(),
        EmailPassword.init(),
        Passwordless.init({
          contactMethod: "EMAIL",
          flowType: "USER_INPUT_CODE",
          emailDelivery: { override: (o) => ({ ...o, sendEmail: async () => {} }) },
        }),
        Multitenancy.init(),
      ],
    });
    app.use(middleware());
    app.get("/sdk/:name.js", (req, res) => {
      const file = fs
        .readdirSync(path.join(SDK_DIR, "bundle"))
        .find((f) => f.startsWith(`${req.params.name}.`) && f.endsWith(".js"));
      if (file === undefined) return void res.status(404).end();
      res.sendFile(path.join(SDK_DIR, "bundle", file));
    });
    app.get("/", (_req, res) => void res.type("html").send(PAGE));
    app.use(errorHandler());
    await Multitenancy.createOrUpdateTenant("acme", { firstFactors: ["emailpassword"] });
    await Multitenancy.createOrUpdateTenant("beta", { firstFactors: ["otp-email"] });
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await resetForTests();
    await browser?.close();
    fs.rmSync(dbDir, { recursive: true, force: true });
  });

  async function open(tenant: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.on("pageerror", (err) => console.log(`    page error: ${err.message}`));
    await page.goto(`${origin}/`);
    await page.evaluate((t) => ((window as unknown as { TENANT: string }).TENANT = t), tenant);
    return page;
  }

  function loginMethods(page: Page, tenantId: string): Promise<Record<string, unknown>> {
    return page.evaluate(async (t) => {
      const mt = (window as unknown as { supertokensMultitenancy: { getLoginMethods(i: object): Promise<object> } })
        .supertokensMultitenancy;
      const { fetchResponse: _dropped, ...rest } = (await mt.getLoginMethods({ tenantId: t })) as Record<
        string,
        unknown
      >;
      return rest;
    }, tenantId);
  }

  function signUp(page: Page, email: string): Promise<{ status: string; userId?: string; tId?: unknown }> {
    return page.evaluate(async (address) => {
      const w = window as unknown as {
        supertokensEmailPassword: { signUp(i: object): Promise<{ status: string; user?: { id: string } }> };
        supertokensSession: { getAccessTokenPayloadSecurely(): Promise<Record<string, unknown>> };
      };
      const result = await w.supertokensEmailPassword.signUp({
        formFields: [
          { id: "email", value: address },
          { id: "password", value: "password1" },
        ],
      });
      if (result.status !== "OK") return { status: result.status };
      const payload = await w.supertokensSession.getAccessTokenPayloadSecurely();
      return { status: result.status, userId: result.user?.id, tId: payload.tId };
    }, email);
  }

  it("getLoginMethods answers each tenant's first factors", async () => {
    const page = await open("acme");
    expect(await loginMethods(page, "acme")).to.deep.equal({
      status: "OK",
      firstFactors: ["emailpassword"],
      thirdParty: { providers: [] },
    });
    expect(await loginMethods(page, "beta")).to.deep.equal({
      status: "OK",
      firstFactors: ["otp-email"],
      thirdParty: { providers: [] },
    });
    expect((await loginMethods(page, "public")).firstFactors).to.deep.equal(["emailpassword", "otp-email"]);
    await page.context().close();
  });

  it("signs the same email up in two tenants: two users, each session in its tenant", async () => {
    await Multitenancy.createOrUpdateTenant("beta", { firstFactors: null });
    const acme = await open("acme");
    const inAcme = await signUp(acme, "sam@tenants.test");
    const beta = await open("beta");
    const inBeta = await signUp(beta, "sam@tenants.test");
    expect(inAcme.status).to.equal("OK");
    expect(inBeta.status).to.equal("OK");
    expect(inAcme.tId).to.equal("acme");
    expect(inBeta.tId).to.equal("beta");
    expect(inAcme.userId).to.not.equal(inBeta.userId);
    // A third sign-up in acme is refused as a duplicate there only.
    expect((await signUp(await open("acme"), "sam@tenants.test")).status).to.equal("FIELD_ERROR");
    await Multitenancy.createOrUpdateTenant("beta", { firstFactors: ["otp-email"] });
  });
});
