// The example shop in headless Chromium (Debian's chromium, driven by playwright-core; no browser is downloaded),
// with SuperTokens' official frontend SDK unchanged: cookie and header modes, same origin and cross-origin.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { resetForTests } from "../lib/testing";
import { type RunningShop, startShop } from "../examples/express-shop/server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = fs.mkdtempSync(path.join(process.env.LATCHKEY_SCREENSHOTS ?? os.tmpdir(), "latchkey-browser-"));
const ACCESS_TOKEN_VALIDITY_S = 3;

type Mode = "cookie" | "header";

describe("example shop in Chromium with supertokens-web-js", function () {
  let browser: Browser;
  let dbDir: string;
  before(async () => {
    console.log(`  screenshots: ${SHOTS}`);
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-shop-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  });
  after(async () => {
    await browser?.close();
    fs.rmSync(dbDir, { recursive: true, force: true });
  });

  for (const crossOrigin of [false, true]) {
    for (const mode of ["cookie", "header"] as Mode[]) {
      describe(`${mode} mode, ${crossOrigin ? "page on another origin (CORS)" : "page on the API's origin"}`, () => {
        let shop: RunningShop;
        const step = async (page: Page, name: string): Promise<void> => {
          await page.screenshot({ path: path.join(SHOTS, `${crossOrigin ? "cors" : "same"}-${mode}-${name}.png`) });
        };
        before(async () => {
          shop = await startShop({
            port: 0,
            ...(crossOrigin ? { websitePort: 0 } : {}),
            database: `sqlite:${path.join(dbDir, `${mode}-${crossOrigin}.sqlite`)}`,
            accessTokenValidity: ACCESS_TOKEN_VALIDITY_S,
          });
        });
        after(async () => {
          await shop.close();
          await resetForTests();
        });

        async function open(context: BrowserContext): Promise<Page> {
          const page = await context.newPage();
          page.on("pageerror", (err) => console.log(`    page error: ${err.message}`));
          await page.goto(`${shop.websiteDomain}/?mode=${mode}`);
          await page.evaluate(() => (window as unknown as { shopReady: Promise<void> }).shopReady);
          return page;
        }

        async function signUp(page: Page, email: string): Promise<void> {
          await page.fill("#email", email);
          await page.fill("#password", "password1");
          await page.click("#sign-up");
          await page.waitForFunction(() => document.body.dataset.state === "signed-in");
        }

        async function callApi(page: Page): Promise<{ status: number; body: string }> {
          await page.evaluate(() => delete document.body.dataset.api);
          await page.click("#call-api");
          await page.waitForFunction(() => document.body.dataset.api !== undefined);
          const text = (await page.textContent("#api-result")) ?? "";
          return { status: Number(text.split(" ")[0]), body: text.slice(text.indexOf(" ") + 1) };
        }

        const sessionExists = (page: Page): Promise<boolean> =>
          page.evaluate(() =>
            (
              window as unknown as { supertokensSession: { doesSessionExist(): Promise<boolean> } }
            ).supertokensSession.doesSessionExist(),
          );

        it("sign up shows the role from the access token; reload keeps the session; sign out ends it", async () => {
          const context = await browser.newContext();
          const page = await open(context);
          await step(page, "1-signed-out");
          await signUp(page, `${mode}${crossOrigin}@shop.test`);
          expect(await page.textContent("#role")).to.equal("admin");
          await step(page, "2-signed-up");
          const api = await callApi(page);
          expect(api.status).to.equal(200);
          expect(JSON.parse(api.body)).to.deep.include({ role: "admin", hasServerSideSecret: true });
          expect(api.body).to.not.contain('"x"');
          await page.reload();
          await page.evaluate(() => (window as unknown as { shopReady: Promise<void> }).shopReady);
          expect(await page.getAttribute("body", "data-state")).to.equal("signed-in");
          expect(await page.textContent("#role")).to.equal("admin");
          await step(page, "3-reloaded");
          await page.click("#sign-out");
          await page.waitForFunction(() => document.body.dataset.state === "signed-out");
          expect(await sessionExists(page)).to.equal(false);
          const after = await page.evaluate(
            async (api) => (await fetch(`${api}/api/me`, { credentials: "include" })).status,
            shop.apiDomain,
          );
          expect(after).to.equal(401);
          await step(page, "4-signed-out");
          await context.close();
        });

        it("after the access token expires, the SDK refreshes on its own and protected calls keep working", async () => {
          const context = await browser.newContext();
          const page = await open(context);
          let refreshes = 0;
          page.on(
            "request",
            (r) => void (r.url().endsWith("/auth/session/refresh") && r.method() === "POST" && refreshes++),
          );
          await signUp(page, `refresh-${mode}${crossOrigin}@shop.test`);
          const before = refreshes;
          await page.waitForTimeout((ACCESS_TOKEN_VALIDITY_S + 1) * 1000);
          expect((await callApi(page)).status).to.equal(200);
          expect(refreshes - before).to.be.greaterThan(0);
          await page.waitForTimeout((ACCESS_TOKEN_VALIDITY_S + 1) * 1000);
          expect((await callApi(page)).status).to.equal(200);
          await step(page, "5-after-refresh");
          await context.close();
        });

        it("a stolen refresh token replayed from a second browser after the first refreshed logs both out", async () => {
          const victim = await browser.newContext();
          const page = await open(victim);
          await signUp(page, `theft-${mode}${crossOrigin}@shop.test`);
          const stolen = await stealRefreshToken(victim, page);
          // The victim refreshes and uses the new tokens.
          await page.evaluate(() =>
            (
              window as unknown as { supertokensSession: { attemptRefreshingSession(): Promise<boolean> } }
            ).supertokensSession.attemptRefreshingSession(),
          );
          expect((await callApi(page)).status).to.equal(200);
          // The thief, in another browser, replays the old refresh token.
          const thief = await browser.newContext();
          const replay = await thief.request.post(`${shop.apiDomain}/auth/session/refresh`, {
            headers:
              mode === "cookie"
                ? { cookie: `sRefreshToken=${stolen}`, rid: "session" }
                : { authorization: `Bearer ${stolen}`, rid: "session" },
          });
          expect(replay.status()).to.equal(401);
          expect(await replay.json()).to.deep.equal({ message: "token theft detected" });
          // Once the victim's access token runs out, the refresh fails too: both are logged out.
          await page.waitForTimeout((ACCESS_TOKEN_VALIDITY_S + 1) * 1000);
          expect((await callApi(page)).status).to.equal(401);
          expect(await sessionExists(page)).to.equal(false);
          await step(page, "6-after-theft");
          await thief.close();
          await victim.close();
        });

        if (mode === "cookie" && !crossOrigin) {
          it("forgot password: the link from the development outbox sets a new password once", async () => {
            const context = await browser.newContext();
            const page = await open(context);
            await signUp(page, "forgot@shop.test");
            await page.click("#sign-out");
            await page.waitForFunction(() => document.body.dataset.state === "signed-out");
            await page.fill("#email", "forgot@shop.test");
            await page.click("#forgot");
            await page.waitForFunction(() => !(document.getElementById("outbox") as HTMLElement).hidden);
            await step(page, "7-reset-requested");
            const deadline = Date.now() + 5000;
            while (shop.outbox.length === 0 && Date.now() < deadline) await page.waitForTimeout(50);
            const link = shop.outbox.at(-1)?.link ?? "";
            expect(link).to.contain("/auth/reset-password?token=");
            await page.goto(link);
            await page.fill("#new-password", "newpassword2");
            await page.click("#reset-submit");
            await page.waitForFunction(() => document.body.dataset.reset !== undefined);
            expect(await page.getAttribute("body", "data-reset")).to.equal("OK");
            await step(page, "8-password-reset");
            await page.goto(`${shop.websiteDomain}/?mode=${mode}`);
            await page.fill("#email", "forgot@shop.test");
            await page.fill("#password", "newpassword2");
            await page.click("#sign-in");
            await page.waitForFunction(() => document.body.dataset.state === "signed-in");
            await context.close();
          });
        }

        if (mode === "cookie" && !crossOrigin) {
          it("email verification: the page shows 'no', the emailed link verifies, and the same session shows 'yes'", async () => {
            const context = await browser.newContext();
            const page = await open(context);
            await signUp(page, "verify@shop.test");
            expect(await page.textContent("#verified")).to.equal("no");
            await page.click("#send-verification");
            const deadline = Date.now() + 5000;
            while (!shop.outbox.some((m) => m.kind === "verify-email") && Date.now() < deadline)
              await page.waitForTimeout(50);
            const link = shop.outbox.filter((m) => m.kind === "verify-email").at(-1)?.link ?? "";
            expect(link).to.contain("/auth/verify-email?token=");
            await page.goto(link);
            await page.waitForFunction(() => document.body.dataset.verify !== undefined);
            expect(await page.getAttribute("body", "data-verify")).to.equal("OK");
            await page.goto(`${shop.websiteDomain}/?mode=${mode}`);
            await page.evaluate(() => (window as unknown as { shopReady: Promise<void> }).shopReady);
            expect(await page.textContent("#verified")).to.equal("yes");
            await step(page, "9-email-verified");
            await context.close();
          });
        }

        if (mode === "cookie") {
          // Through the demo provider's own login and consent pages, as a person would click them.
          async function signInAtProvider(page: Page, name: string): Promise<void> {
            await page.click("#demo-provider");
            await page.waitForSelector('input[name="login"]');
            await page.fill('input[name="login"]', name);
            await page.fill('input[name="password"]', "any");
            await page.click('button[type="submit"]');
            await page.waitForSelector('button[type="submit"]');
            await page.click('button[type="submit"]');
          }

          it("continue with the OpenID provider: PKCE flow through the SDK, then the role and a verified email", async () => {
            const context = await browser.newContext();
            const page = await open(context);
            await signInAtProvider(page, `oidc-${crossOrigin}`);
            await page.waitForFunction(() => document.body?.dataset.state === "signed-in");
            expect(await page.getAttribute("body", "data-callback")).to.equal("OK");
            expect(await page.textContent("#role")).to.equal("admin");
            // The provider vouched for the email, so it counts as verified.
            expect(await page.textContent("#verified")).to.equal("yes");
            expect((await callApi(page)).status).to.equal(200);
            await step(page, "10-provider-sign-in");
            await context.close();
          });

          it("login CSRF: another browser's provider redirect (its code and state) is refused by the SDK; nothing reaches the API", async () => {
            // The attacker runs a flow of their own and keeps the redirect back, unused.
            const attackerContext = await browser.newContext();
            const attacker = await open(attackerContext);
            await attacker.route(
              (url) => url.pathname.endsWith("/auth/signinup"),
              (route) => route.abort(),
            );
            await signInAtProvider(attacker, `mallory-${crossOrigin}`);
            await attacker.waitForURL((url) => url.pathname === "/auth/callback/demo");
            const forged = attacker.url();
            await attackerContext.close();
            // The victim has started a sign-in of their own, then is made to open the attacker's redirect.
            const context = await browser.newContext();
            const page = await open(context);
            const signInUpCalls: string[] = [];
            page.on("request", (r) => void (r.url().includes("/auth/signinup") && signInUpCalls.push(r.url())));
            await page.click("#demo-provider");
            await page.waitForSelector('input[name="login"]');
            await page.goto(forged);
            await page.waitForFunction(() => document.body?.dataset.callback !== undefined);
            expect(await page.getAttribute("body", "data-callback")).to.equal("error");
            expect(await page.textContent("#message")).to.match(/state/i);
            expect(signInUpCalls).to.deep.equal([]);
            expect(await sessionExists(page)).to.equal(false);
            await step(page, "11-forged-state");
            await context.close();
          });
        }

        async function stealRefreshToken(context: BrowserContext, page: Page): Promise<string> {
          // Every cookie of the context, whatever its path (the refresh cookie lives on the refresh route only).
          const cookies = await context.cookies();
          const fromCookie = cookies.find((c) => c.name === "sRefreshToken" || c.name === "st-refresh-token")?.value;
          if (fromCookie !== undefined) return decodeURIComponent(fromCookie);
          const fromStorage = await page.evaluate(() => {
            for (const key of Object.keys(localStorage)) if (key.includes("refresh")) return localStorage.getItem(key);
            return null;
          });
          if (fromStorage === null) throw new Error(`no refresh token found in ${mode} mode`);
          return fromStorage;
        }
      });
    }
  }
});
