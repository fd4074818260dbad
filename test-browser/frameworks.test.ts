// The official SDK (supertokens-web-js, unchanged) in Chromium against the other server adapters: Fastify and the
// fetch handler under a plain node:http server. One compact flow per adapter (sign up, a protected call, the SDK's
// own refresh after the access token expires, sign out); shop.test.ts covers the rest on express. The API is the
// adapter matrix's app (test/helpers/frameworks.ts); the page and the SDK bundles are answered by the browser's
// request routing on the API's origin, so every adapter serves exactly the same page without static-file code.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { type Browser, chromium, type Page } from "playwright-core";
import Latchkey from "../lib/index";
import { resetForTests } from "../lib/testing";
import { Latchkey as Core } from "../lib/latchkey";
import Session from "../recipes/session/index";
import EmailPassword from "../recipes/emailpassword/index";
import { type FrameworkName, type FrameworkServer, startFrameworkApp } from "../test/helpers/frameworks";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SDK_DIR = path.join(path.dirname(require.resolve("supertokens-web-js/package.json")), "bundle");
/** The shortest validity Session.init accepts: the refresh step waits it out. */
const ACCESS_TOKEN_VALIDITY_S = 1;
// express runs the same flow and more in shop.test.ts; these are the adapters it does not reach.
const BROWSER_FRAMEWORKS: FrameworkName[] = ["fastify", "fetch"];

function sdkBundle(name: string): string {
  const file = fs.readdirSync(SDK_DIR).find((f) => f.startsWith(`${name}.`) && f.endsWith(".js"));
  if (file === undefined) throw new Error(`supertokens-web-js has no ${name} bundle`);
  return fs.readFileSync(path.join(SDK_DIR, file), "utf8");
}

const PAGE = (apiDomain: string): string => `<!doctype html><html><head><meta charset="utf-8">
<script src="/sdk/supertokens.js"></script><script src="/sdk/website.js"></script><script src="/sdk/session.js"></script>
<script src="/sdk/emailpassword.js"></script>
<script>
supertokens.init({
  appInfo: { appName: "Frameworks", apiDomain: ${JSON.stringify(apiDomain)}, apiBasePath: "/auth" },
  recipeList: [supertokensSession.init({ tokenTransferMethod: "cookie" }), supertokensEmailPassword.init()],
});
</script></head><body></body></html>`;

/** The SDK's globals on the page, as the test calls them. */
interface SdkWindow {
  supertokensSession: { doesSessionExist(): Promise<boolean>; signOut(): Promise<void> };
  supertokensEmailPassword: {
    signUp(input: { formFields: { id: string; value: string }[] }): Promise<{ status: string; user?: { id: string } }>;
  };
}

describe("supertokens-web-js in Chromium against each server adapter", function () {
  let browser: Browser;
  let dbDir: string;
  const bundles = new Map(
    ["supertokens", "website", "session", "emailpassword"].map((name) => [name, sdkBundle(name)]),
  );
  before(async () => {
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-frameworks-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  });
  after(async () => {
    await browser?.close();
    fs.rmSync(dbDir, { recursive: true, force: true });
  });

  for (const framework of BROWSER_FRAMEWORKS) {
    describe(framework, () => {
      let server: FrameworkServer;
      before(async () => {
        Latchkey.init({
          appInfo: { appName: "Frameworks", apiDomain: "http://127.0.0.1", websiteDomain: "http://127.0.0.1" },
          database: `sqlite:${path.join(dbDir, `${framework}.sqlite`)}`,
          recipeList: [
            Session.init({ accessTokenValidity: ACCESS_TOKEN_VALIDITY_S }),
            EmailPassword.init({ bcryptCost: 4 }),
          ],
        });
        server = await startFrameworkApp(framework, [
          {
            method: "GET",
            path: "/api/me",
            verify: {},
            handle: ({ session }) => ({ userId: session?.getUserId() }),
          },
        ]);
        await Core.getInstanceOrThrow().database.whenReady();
      });
      after(async () => {
        await server?.close();
        await resetForTests();
      });

      async function open(): Promise<Page> {
        const context = await browser.newContext();
        const page = await context.newPage();
        page.on("pageerror", (err) => console.log(`    page error: ${err.message}`));
        // The page and the SDK come from the browser's routing; /auth/* and /api/* reach the adapter.
        await context.route(`${server.baseUrl}/`, (route) =>
          route.fulfill({ contentType: "text/html", body: PAGE(server.baseUrl) }),
        );
        await context.route(`${server.baseUrl}/sdk/*.js`, (route) => {
          const name = path.basename(new URL(route.request().url()).pathname, ".js");
          return route.fulfill({ contentType: "application/javascript", body: bundles.get(name) ?? "" });
        });
        await page.goto(`${server.baseUrl}/`);
        return page;
      }

      const me = (page: Page): Promise<{ status: number; body: string }> =>
        page.evaluate(async () => {
          // The SDK wraps window.fetch: a 401 "try refresh token" is refreshed and retried before this sees it.
          const res = await fetch("/api/me", { credentials: "include" });
          return { status: res.status, body: await res.text() };
        });

      it("signs up, calls a protected route, refreshes on its own after expiry and signs out", async () => {
        const page = await open();
        let refreshes = 0;
        page.on(
          "request",
          (r) => void (r.url().endsWith("/auth/session/refresh") && r.method() === "POST" && refreshes++),
        );
        const up = await page.evaluate(
          (email) =>
            (window as unknown as SdkWindow).supertokensEmailPassword.signUp({
              formFields: [
                { id: "email", value: email },
                { id: "password", value: "password1" },
              ],
            }),
          `${framework}@frameworks.test`,
        );
        expect(up.status).to.equal("OK");
        const userId = up.user?.id;
        expect(userId).to.be.a("string");
        const first = await me(page);
        expect(first.status).to.equal(200);
        expect(JSON.parse(first.body)).to.deep.equal({ userId });

        // With a one-second token the calls above may already have refreshed; the wait makes one certain.
        const before = refreshes;
        await page.waitForTimeout((ACCESS_TOKEN_VALIDITY_S + 1) * 1000);
        const afterExpiry = await me(page);
        expect(afterExpiry.status).to.equal(200);
        expect(JSON.parse(afterExpiry.body)).to.deep.equal({ userId });
        expect(refreshes - before).to.be.greaterThan(0);

        await page.evaluate(() => (window as unknown as SdkWindow).supertokensSession.signOut());
        expect(
          await page.evaluate(() => (window as unknown as SdkWindow).supertokensSession.doesSessionExist()),
        ).to.equal(false);
        expect((await me(page)).status).to.equal(401);
        await page.context().close();
      });
    });
  }
});
