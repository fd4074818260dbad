// The example shop's "Admin only" button, driven through the official SDK (supertokens-web-js) in Chromium: a normal
// user gets 403 "invalid claim" from the st-role check; after UserRoles.addRoleToUser and a new sign-in, 200.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { type Browser, chromium, type Page } from "playwright-core";
import { resetForTests } from "../lib/testing";
import UserRoles from "../recipes/userroles/index";
import { type RunningShop, startShop } from "../examples/express-shop/server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

describe("example shop in Chromium: the admin-only route checks UserRoleClaim", function () {
  let browser: Browser;
  let dbDir: string;
  let shop: RunningShop;
  before(async () => {
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-roles-"));
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

  async function clickAdmin(page: Page): Promise<{ status: number; body: Record<string, unknown> }> {
    await page.evaluate(() => delete document.body.dataset.admin);
    await page.click("#admin-api");
    await page.waitForFunction(() => document.body.dataset.admin !== undefined);
    const text = (await page.textContent("#api-result")) ?? "";
    return { status: Number(text.split(" ")[0]), body: JSON.parse(text.slice(text.indexOf(" ") + 1)) as never };
  }

  it("a normal user gets 403 invalid claim; the same user, made admin, passes from their next session", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on("pageerror", (err) => console.log(`    page error: ${err.message}`));
    await page.goto(`${shop.websiteDomain}/?mode=cookie`);
    await page.evaluate(() => (window as unknown as { shopReady: Promise<void> }).shopReady);
    await page.fill("#email", "customer@shop.test");
    await page.fill("#password", "password1");
    await page.click("#sign-up");
    await page.waitForFunction(() => document.body.dataset.state === "signed-in");
    expect(await page.textContent("#roles")).to.equal("(none)");

    const denied = await clickAdmin(page);
    expect(denied.status).to.equal(403);
    expect(denied.body).to.deep.equal({
      message: "invalid claim",
      claimValidationErrors: [
        { id: "st-role", reason: { message: "wrong value", expectedToInclude: "admin", actualValue: [] } },
      ],
    });
    // The SDK kept the session: a 403 is not a sign-out.
    expect(await page.evaluate(() => document.body.dataset.state)).to.equal("signed-in");

    const userId = (await page.textContent("#user-id")) ?? "";
    expect(await UserRoles.addRoleToUser("public", userId, "admin")).to.deep.equal({
      status: "OK",
      didUserAlreadyHaveRole: false,
    });
    await page.click("#sign-out");
    await page.waitForFunction(() => document.body.dataset.state === "signed-out");
    await page.fill("#email", "customer@shop.test");
    await page.fill("#password", "password1");
    await page.click("#sign-in");
    await page.waitForFunction(() => document.body.dataset.state === "signed-in");
    await page.waitForFunction(() => document.getElementById("roles")?.textContent === "admin");
    const allowed = await clickAdmin(page);
    expect(allowed.status).to.equal(200);
    expect(allowed.body).to.deep.equal({ admin: true, userId });
    await context.close();
  });
});
