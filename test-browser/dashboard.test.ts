// The dashboard in Chromium against the example shop: an admin logs in with the key, finds a shopper, revokes their
// session (the shopper's next refresh, through the official SDK, fails) and gives them a role; screenshots at desktop
// and phone width are kept under test-output/dashboard/ for review.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { type Browser, chromium, type Page } from "playwright-core";
import { resetForTests } from "../lib/testing";
import Session from "../recipes/session/index";
import UserRoles from "../recipes/userroles/index";
import { type RunningShop, startShop } from "../examples/express-shop/server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const KEY = "browser-test-dashboard-key-0123456789";
const OUTPUT = path.join(__dirname, "..", "test-output", "dashboard");
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };

describe("dashboard in Chromium: log in, find a user, revoke their session, add a role", function () {
  let browser: Browser;
  let dbDir: string;
  let shop: RunningShop;
  before(async () => {
    fs.mkdirSync(OUTPUT, { recursive: true });
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-dashboard-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    shop = await startShop({ port: 0, database: `sqlite:${path.join(dbDir, "shop.sqlite")}`, dashboardApiKey: KEY });
  });
  after(async () => {
    await shop?.close();
    await resetForTests();
    await browser?.close();
    fs.rmSync(dbDir, { recursive: true, force: true });
  });

  async function signUpShopper(page: Page, email: string): Promise<string> {
    await page.goto(`${shop.websiteDomain}/?mode=cookie`);
    await page.evaluate(() => (window as unknown as { shopReady: Promise<void> }).shopReady);
    await page.fill("#email", email);
    await page.fill("#password", "password1");
    await page.click("#sign-up");
    await page.waitForFunction(() => document.body.dataset.state === "signed-in");
    return (await page.textContent("#user-id")) ?? "";
  }

  it("works end to end at desktop width, and fits a phone", async () => {
    const shopperContext = await browser.newContext();
    const shopper = await shopperContext.newPage();
    const userId = await signUpShopper(shopper, "shopper@shop.test");
    await signUpShopper(await (await browser.newContext()).newPage(), "someone-else@shop.test");
    expect(await Session.getAllSessionHandlesForUser(userId)).to.have.length(1);

    const adminContext = await browser.newContext({ viewport: DESKTOP });
    const admin = await adminContext.newPage();
    const problems: string[] = [];
    admin.on("pageerror", (err) => problems.push(err.message));
    admin.on("console", (msg) => {
      if (msg.type() === "error") problems.push(msg.text());
    });
    await admin.goto(`${shop.apiDomain}/auth/dashboard`);

    // A wrong key is refused and the page says so.
    await admin.fill("#api-key", "not-the-key-0123456789");
    await admin.click("button[type=submit]");
    await admin.waitForSelector("text=That key was not accepted.");
    problems.length = 0; // the browser logs the 401 itself
    await admin.fill("#api-key", KEY);
    await admin.click("button[type=submit]");
    await admin.waitForSelector("h1:has-text('Users')");
    await admin.screenshot({ path: path.join(OUTPUT, "users-desktop.png"), fullPage: true });

    // Find the shopper by an email prefix.
    await admin.fill("input[name=q]", "shopper");
    await admin.click("form[role=search] button");
    await admin.waitForFunction(() => document.querySelectorAll("tbody tr").length === 1);
    await admin.click("text=shopper@shop.test");
    await admin.waitForSelector("#sessions h2:has-text('Sessions (1)')");
    expect(await admin.textContent("code")).to.equal(userId);

    // Revoke the session: gone from the page and the database; the shopper's next refresh fails.
    await admin.click("#sessions button:has-text('Revoke')");
    await admin.waitForSelector("#sessions h2:has-text('Sessions (0)')");
    expect(await Session.getAllSessionHandlesForUser(userId)).to.deep.equal([]);
    const refreshed = await shopper.evaluate(() =>
      (
        window as unknown as { supertokensSession: { attemptRefreshingSession(): Promise<boolean> } }
      ).supertokensSession.attemptRefreshingSession(),
    );
    expect(refreshed).to.equal(false);
    expect(
      await shopper.evaluate(() =>
        (
          window as unknown as { supertokensSession: { doesSessionExist(): Promise<boolean> } }
        ).supertokensSession.doesSessionExist(),
      ),
    ).to.equal(false);

    // Give the shopper the admin role.
    await admin.selectOption("#roles select", "admin");
    await admin.click("#roles button:has-text('Add role')");
    await admin.waitForSelector("#roles .tag:has-text('admin')");
    expect((await UserRoles.getRolesForUser("public", userId)).roles).to.deep.equal(["admin"]);
    await admin.screenshot({ path: path.join(OUTPUT, "user-desktop.png"), fullPage: true });

    // The audit log shows both actions.
    await admin.click("nav >> text=Audit log");
    await admin.waitForSelector("h1:has-text('Audit log')");
    const actions = await admin.$$eval("tbody tr td:nth-child(3)", (cells) => cells.map((c) => c.textContent));
    expect(actions).to.deep.equal(["role.assign", "session.revoke"]);
    await admin.screenshot({ path: path.join(OUTPUT, "audit-desktop.png"), fullPage: true });

    // Phone width: nothing wider than the screen, on the list and on the user's page.
    await admin.setViewportSize(PHONE);
    for (const [hash, name] of [
      ["#/users", "users-phone.png"],
      [`#/user/${encodeURIComponent(userId)}`, "user-phone.png"],
    ] as const) {
      await admin.evaluate((h) => (location.hash = h), hash);
      await admin.waitForSelector(hash === "#/users" ? "h1:has-text('Users')" : "#sessions");
      const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name}: horizontal overflow`).to.be.at.most(0);
      await admin.screenshot({ path: path.join(OUTPUT, name), fullPage: true });
    }
    expect(problems, problems.join("\n")).to.deep.equal([]);
    for (const name of [
      "users-desktop.png",
      "user-desktop.png",
      "audit-desktop.png",
      "users-phone.png",
      "user-phone.png",
    ]) {
      expect(fs.statSync(path.join(OUTPUT, name)).size, name).to.be.greaterThan(1000);
    }
    await adminContext.close();
    await shopperContext.close();
  });
});
