// "Sign in with a code" in the example shop, in headless Chromium with supertokens-web-js's passwordless recipe
// unchanged: the email's code read from the development outbox and typed, and the magic link followed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { type Browser, chromium, type Page } from "playwright-core";
import { resetForTests } from "../lib/testing";
import { type RunningShop, startShop } from "../examples/express-shop/server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

describe("passwordless in Chromium with supertokens-web-js", function () {
  let browser: Browser;
  let dbDir: string;
  before(async () => {
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-pwless-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  });
  after(async () => {
    await browser?.close();
    fs.rmSync(dbDir, { recursive: true, force: true });
  });

  for (const mode of ["cookie", "header"] as const) {
    describe(`${mode} mode`, () => {
      let shop: RunningShop;
      before(async () => {
        shop = await startShop({ port: 0, database: `sqlite:${path.join(dbDir, `${mode}.sqlite`)}` });
      });
      after(async () => {
        await shop.close();
        await resetForTests();
      });

      async function nextMail(to: string, seen: number): Promise<{ link: string; code?: string }> {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const mails = shop.outbox.filter((m) => m.kind === "sign-in-code" && m.to === to);
          const mail = mails[seen];
          if (mail !== undefined) return mail;
          if (Date.now() > deadline) throw new Error(`no sign-in email to ${to}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }

      async function askForCode(page: Page, email: string): Promise<void> {
        await page.evaluate(() => delete document.body.dataset.code);
        await page.fill("#email", email);
        await page.click("#code-start");
        await page.waitForFunction(() => document.body.dataset.code !== undefined);
        expect(await page.getAttribute("body", "data-code")).to.equal("OK");
      }

      async function typeCode(page: Page, code: string): Promise<string> {
        await page.evaluate(() => delete document.body.dataset.consume);
        await page.fill("#code", code);
        await page.click("#code-submit");
        await page.waitForFunction(() => document.body.dataset.consume !== undefined);
        return (await page.getAttribute("body", "data-consume")) ?? "";
      }

      it("email code typed from the outbox signs up (a wrong one first), then the magic link signs the same user in", async () => {
        const context = await browser.newContext();
        const page = await context.newPage();
        page.on("pageerror", (err) => console.log(`    page error: ${err.message}`));
        await page.goto(`${shop.websiteDomain}/?mode=${mode}`);
        await page.evaluate(() => (window as unknown as { shopReady: Promise<void> }).shopReady);
        const email = `code-${mode}@shop.test`;

        await askForCode(page, email);
        const first = await nextMail(email, 0);
        expect(first.code).to.match(/^\d{6}$/);
        expect(await typeCode(page, first.code === "000000" ? "111111" : "000000")).to.equal(
          "INCORRECT_USER_INPUT_CODE_ERROR",
        );
        expect(await page.textContent("#message")).to.equal("Wrong code (1 of 5 tries).");
        expect(await typeCode(page, first.code ?? "")).to.equal("OK");
        await page.waitForFunction(() => document.body.dataset.state === "signed-in");
        expect(await page.textContent("#message")).to.equal("Signed up with a code.");
        // The session went through the shop's createNewSession override, as for every login method.
        expect(await page.textContent("#role")).to.equal("admin");
        const userId = await page.textContent("#user-id");
        const me = await page.evaluate(async (api) => {
          const res = await fetch(`${api}/api/me`, { credentials: "include" });
          return { status: res.status, body: (await res.json()) as { userId: string } };
        }, shop.apiDomain);
        if (mode === "cookie") expect(me).to.deep.include({ status: 200 });
        await page.click("#sign-out");
        await page.waitForFunction(() => document.body.dataset.state === "signed-out");

        await askForCode(page, email);
        const second = await nextMail(email, 1);
        expect(new URL(second.link).pathname).to.equal("/auth/verify");
        await page.goto(second.link);
        await page.waitForFunction(() => document.body.dataset.state === "signed-in");
        expect(await page.getAttribute("body", "data-consume")).to.equal("OK");
        expect(await page.textContent("#message")).to.equal("Signed in with a code.");
        expect(await page.textContent("#user-id")).to.equal(userId);
        // The link works once: following it again restarts the flow.
        await page.click("#sign-out");
        await page.waitForFunction(() => document.body.dataset.state === "signed-out");
        await page.goto(second.link);
        await page.waitForFunction(() => document.body.dataset.consume !== undefined);
        expect(await page.getAttribute("body", "data-consume")).to.equal("RESTART_FLOW_ERROR");
        await context.close();
      });
    });
  }
});
