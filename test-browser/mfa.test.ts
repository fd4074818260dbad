// The official SDK's multifactorauth and totp recipes (supertokens-web-js, unchanged) against the example shop in
// headless Chromium: sign up, set up two-factor (the test computes codes from the secret the API returned), sign out
// and in, meet the st-mfa claim failure (the page asks for a code, the protected API answers 403), enter a code, reach
// the protected API; and the lock-out after too many wrong codes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { type Browser, chromium, type Page } from "playwright-core";
import { resetForTests } from "../lib/testing";
import { base32Decode, totp } from "../recipes/totp/otp";
import { type RunningShop, startShop } from "../examples/express-shop/server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function codeFor(secret: string, offsetSteps = 0): string {
  const bytes = base32Decode(secret);
  if (bytes === undefined) throw new Error("not base32");
  return totp(bytes, { algorithm: "SHA1", digits: 6, period: 30 }, Date.now() + offsetSteps * 30_000);
}

type SDKResult = Record<string, unknown>;

/** Calls `window[global][fn](input)` in the page; the answer without fetchResponse, or `{ thrown: status }`. */
function sdk(page: Page, global: string, fn: string, input?: Record<string, unknown>): Promise<SDKResult> {
  return page.evaluate(
    async ([g, name, arg]) => {
      const api = (window as unknown as Record<string, Record<string, (i: unknown) => Promise<SDKResult>>>)[g] ?? {};
      try {
        const { fetchResponse: _dropped, ...rest } = await (api[name] as (i: unknown) => Promise<SDKResult>)(arg);
        return rest;
      } catch (err) {
        // The SDK throws the response itself for a status it does not expect (403 here).
        return { thrown: (err as { status?: number }).status ?? String(err) };
      }
    },
    [global, fn, input] as const,
  );
}

describe("MultiFactorAuth in Chromium with supertokens-web-js's multifactorauth and totp recipes", function () {
  let browser: Browser;
  let dbDir: string;
  let shop: RunningShop;
  before(async () => {
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-mfa-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    shop = await startShop({ port: 0, database: `sqlite:${path.join(dbDir, "mfa.sqlite")}` });
  });
  after(async () => {
    await shop?.close();
    await resetForTests();
    await browser?.close();
    fs.rmSync(dbDir, { recursive: true, force: true });
  });

  async function open(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.on("pageerror", (err) => console.log(`    page error: ${err.message}`));
    await page.goto(`${shop.websiteDomain}/?mode=cookie`);
    await page.evaluate(() => (window as unknown as { shopReady: Promise<void> }).shopReady);
    return page;
  }

  async function submit(page: Page, email: string, button: "#sign-up" | "#sign-in", state: string): Promise<void> {
    await page.fill("#email", email);
    await page.fill("#password", "password1");
    await page.click(button);
    await page.waitForFunction((s) => document.body.dataset.state === s, state);
  }

  async function callApi(page: Page): Promise<number> {
    return page.evaluate(async () => {
      const config = (window as unknown as { SHOP_CONFIG: { apiDomain: string } }).SHOP_CONFIG;
      return (await fetch(`${config.apiDomain}/api/me`, { credentials: "include" })).status;
    });
  }

  async function enterCode(page: Page, code: string): Promise<string> {
    await page.evaluate(() => delete document.body.dataset.totp);
    await page.fill("#totp-code", code);
    await page.click("#totp-submit");
    await page.waitForFunction(() => document.body.dataset.totp !== undefined);
    return page.evaluate(() => document.body.dataset.totp ?? "");
  }

  let secret = "";

  it("sign up, set up two-factor, sign out and in: the claim fails until a code is entered, then the API answers", async () => {
    const page = await open();
    await submit(page, "mfa@shop.test", "#sign-up", "signed-in");
    // "Set up two-factor" on the page: the SDK's createDevice, then the first code verifies the device.
    await page.click("#setup-2fa");
    await page.waitForFunction(() => document.getElementById("totp-secret")?.textContent !== "");
    secret = (await page.textContent("#totp-secret")) ?? "";
    expect(await page.textContent("#totp-uri")).to.match(/^otpauth:\/\/totp\/Shop:mfa%40shop\.test\?secret=/);
    await page.fill("#setup-code", codeFor(secret));
    await page.click("#setup-submit");
    await page.waitForFunction(() => document.body.dataset.setup !== undefined);
    expect(await page.evaluate(() => document.body.dataset.setup)).to.equal("OK");
    const afterSetup = await sdk(page, "supertokensMultiFactorAuth", "resyncSessionAndFetchMFAInfo");
    expect(afterSetup).to.deep.include({ status: "OK" });
    // The shop's Passwordless offers email codes and links as second factors too (this user has an email).
    const all = ["otp-email", "link-email", "totp"];
    expect(afterSetup.factors).to.deep.equal({ next: [], alreadySetup: all, allowedToSetup: all });
    expect(await callApi(page)).to.equal(200);

    await page.click("#sign-out");
    await page.waitForFunction(() => document.body.dataset.state === "signed-out");
    await submit(page, "mfa@shop.test", "#sign-in", "second-factor");
    // The claim failure, as the SDK sees it and as the API answers it.
    const invalid = await page.evaluate(async () => {
      const session = (window as unknown as { supertokensSession: { validateClaims(): Promise<{ id: string }[]> } })
        .supertokensSession;
      return (await session.validateClaims()).map((f) => f.id);
    });
    expect(invalid).to.include("st-mfa");
    expect(await callApi(page)).to.equal(403);
    const info = await sdk(page, "supertokensMultiFactorAuth", "resyncSessionAndFetchMFAInfo");
    expect(info.factors).to.deep.equal({ next: ["totp"], alreadySetup: all, allowedToSetup: [] });
    // A password alone cannot add another authenticator to the account.
    expect(await sdk(page, "supertokensTOTP", "createDevice", { deviceName: "attacker" })).to.deep.equal({
      thrown: 403,
    });

    expect(await enterCode(page, codeFor(secret, 1))).to.equal("OK");
    await page.waitForFunction(() => document.body.dataset.state === "signed-in");
    expect(await callApi(page)).to.equal(200);
    await page.click("#call-api");
    await page.waitForFunction(() => document.body.dataset.api !== undefined);
    expect(await page.evaluate(() => document.body.dataset.api)).to.equal("200");
  });

  it("too many wrong codes lock the second factor: the next code is refused too, the API stays closed", async () => {
    const page = await open();
    await submit(page, "mfa@shop.test", "#sign-in", "second-factor");
    const valid = new Set([-2, -1, 0, 1, 2].map((o) => codeFor(secret, o)));
    const wrong = ["000000", "111111", "222222", "333333", "444444", "555555"].find((c) => !valid.has(c)) as string;
    for (let i = 1; i <= 5; i++) {
      expect(await enterCode(page, wrong)).to.equal("INVALID_TOTP_ERROR");
      expect(await page.textContent("#message")).to.equal(`Wrong code (${i} of 5 tries).`);
    }
    expect(await enterCode(page, codeFor(secret, 2))).to.equal("LIMIT_REACHED_ERROR");
    expect(await page.textContent("#message")).to.match(/^Too many wrong codes: try again in 1[45] minutes\.$/);
    expect(await page.evaluate(() => document.body.dataset.state)).to.equal("second-factor");
    expect(await callApi(page)).to.equal(403);
  });
});
