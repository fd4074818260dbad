// Issue 22 item 6: the example shop's dead ends, as a newcomer meets them.
import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { type Browser, chromium, type Page } from "playwright-core";
import { resetForTests } from "../lib/testing";
import { type RunningShop, startShop } from "../examples/express-shop/server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ROOT = path.resolve(__dirname, "..");
const run = promisify(execFile);

describe("example shop: no dead ends (429, a port in use, ways back, the email, the outbox)", function () {
  let browser: Browser;
  let dbDir: string;
  let shop: RunningShop;
  before(async () => {
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-deadends-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    shop = await startShop({ port: 0, database: `sqlite:${path.join(dbDir, "shop.sqlite")}` });
  });
  after(async () => {
    await shop?.close();
    await resetForTests();
    await browser?.close();
    fs.rmSync(dbDir, { recursive: true, force: true });
  });

  async function open(url = `${shop.websiteDomain}/`): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(url);
    await page.evaluate(() => (window as unknown as { shopReady: Promise<void> }).shopReady);
    return page;
  }

  it("after too many sign-ins the page says how long to wait, not 'Something went wrong.'", async () => {
    const email = "limited@shop.test";
    // Use up the per-email limit (10 per 15 minutes) without the page.
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${shop.apiDomain}/auth/signin`, {
        method: "POST",
        headers: { "content-type": "application/json", rid: "emailpassword" },
        body: JSON.stringify({
          formFields: [
            { id: "email", value: email },
            { id: "password", value: "wrong-pass1" },
          ],
        }),
      });
      expect(res.status).to.equal(200);
    }
    const page = await open();
    await page.fill("#email", email);
    await page.fill("#password", "wrong-pass1");
    await page.click("#sign-in");
    await page.waitForFunction(() => /Too many|went wrong/.test(document.getElementById("message")?.textContent ?? ""));
    expect(await page.textContent("#message")).to.match(/^Too many attempts: try again in 1[45] minutes\.$/);
    await page.context().close();
  });

  it("a second `npm run example` on a port in use says so and exits 1 (no 'reading port' crash)", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "localhost", resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const failure = await run(process.execPath, ["--require", "tsx/cjs", "examples/express-shop/server.ts"], {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port) },
        timeout: 60_000,
      }).then(
        () => expect.fail("the example should not start on a port in use"),
        (e: { code: number; stderr: string }) => e,
      );
      expect(failure.code).to.equal(1);
      expect(failure.stderr).to.contain(`Port ${port} is already in use (is another \`npm run example\` running?)`);
      expect(failure.stderr).to.contain(`PORT=${port + 1} npm run example`);
      expect(failure.stderr).not.to.contain("reading 'port'");
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("shows the email, a readable outbox, a way back from the verify page, and no 'Send verification email' once verified", async () => {
    const page = await open();
    await page.fill("#email", "reader@shop.test");
    await page.fill("#password", "password1");
    await page.click("#sign-up");
    await page.waitForFunction(() => document.body.dataset.state === "signed-in");
    expect(await page.textContent("#user-email")).to.equal("reader@shop.test");
    expect(await page.isVisible("#send-verification")).to.equal(true);

    const outbox = await page.context().newPage();
    await outbox.goto(`${shop.apiDomain}/dev/outbox`);
    expect(await outbox.textContent("h1")).to.equal("Development outbox");
    await page.click("#send-verification");
    const deadline = Date.now() + 5000;
    while (!shop.outbox.some((m) => m.to === "reader@shop.test") && Date.now() < deadline)
      await page.waitForTimeout(50);
    await outbox.reload();
    expect(await outbox.textContent("#outbox-mails tbody tr")).to.contain("reader@shop.test");
    expect(await outbox.textContent("#outbox-mails tbody tr")).to.contain("Verify your email");

    await outbox.click("#outbox-mails a");
    await outbox.waitForFunction(() => document.body.dataset.verify !== undefined);
    expect(await outbox.getAttribute("body", "data-verify")).to.equal("OK");
    await outbox.click("#verify a.back");
    await outbox.waitForFunction(() => document.body.dataset.state === "signed-in");
    expect(await outbox.textContent("#verified")).to.equal("yes");
    expect(await outbox.isVisible("#send-verification")).to.equal(false);
    expect(await outbox.isVisible("#user-email")).to.equal(true);

    // The reset page has its way back too.
    const reset = await open(`${shop.websiteDomain}/auth/reset-password?token=x`);
    expect(await reset.isVisible("#reset a.back")).to.equal(true);
    expect(await reset.getAttribute("#reset a.back", "href")).to.equal("/?mode=cookie");
    await page.context().close();
  });
});
