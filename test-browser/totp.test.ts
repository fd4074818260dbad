// The official SDK's totp recipe (supertokens-web-js, unchanged) against the example shop in headless Chromium:
// enrol a device (the test computes codes from the secret the API returned), sign out and in, verify a code, replay
// it, and the lock-out after too many wrong codes. The shop requires a code of users with a device (MultiFactorAuth),
// so the sign-in lands on the second-factor step; test-browser/mfa.test.ts follows that flow through the page.
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

/** Calls `supertokensTOTP[fn](input)` in the page and returns the answer without its fetchResponse. */
function sdk(page: Page, fn: string, input: Record<string, unknown>): Promise<SDKResult> {
  return page.evaluate(
    async ([name, arg]) => {
      const api = (window as unknown as { supertokensTOTP: Record<string, (i: unknown) => Promise<SDKResult>> })
        .supertokensTOTP;
      const { fetchResponse: _dropped, ...rest } = await (api[name as string] as (i: unknown) => Promise<SDKResult>)(
        arg,
      );
      return rest;
    },
    [fn, input] as const,
  );
}

describe("TOTP in Chromium with supertokens-web-js's totp recipe", function () {
  let browser: Browser;
  let dbDir: string;
  let shop: RunningShop;
  before(async () => {
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-totp-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    shop = await startShop({ port: 0, database: `sqlite:${path.join(dbDir, "totp.sqlite")}` });
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

  async function fillAndClick(
    page: Page,
    email: string,
    button: "#sign-up" | "#sign-in",
    state = "signed-in",
  ): Promise<void> {
    await page.fill("#email", email);
    await page.fill("#password", "password1");
    await page.click(button);
    await page.waitForFunction((s) => document.body.dataset.state === s, state);
  }

  it("enrols a device, signs out and in, verifies a code once; a replay and wrong codes fail, then the lock-out", async () => {
    const page = await open();
    await fillAndClick(page, "totp@shop.test", "#sign-up");
    const created = await sdk(page, "createDevice", { deviceName: "phone" });
    expect(created.status).to.equal("OK");
    expect(created.qrCodeString).to.match(/^otpauth:\/\/totp\/Shop:totp%40shop\.test\?secret=/);
    const secret = created.secret as string;
    expect(await sdk(page, "verifyDevice", { deviceName: "phone", totp: codeFor(secret) })).to.deep.equal({
      status: "OK",
      wasAlreadyVerified: false,
    });
    const listed = await sdk(page, "listDevices", {});
    expect(listed).to.deep.equal({ status: "OK", devices: [{ name: "phone", period: 30, skew: 1, verified: true }] });

    await page.click("#sign-out");
    await page.waitForFunction(() => document.body.dataset.state === "signed-out");
    await fillAndClick(page, "totp@shop.test", "#sign-in", "second-factor");
    expect(await sdk(page, "verifyCode", { totp: codeFor(secret, 1) })).to.deep.equal({ status: "OK" });
    const replay = await sdk(page, "verifyCode", { totp: codeFor(secret, 1) });
    expect(replay).to.deep.equal({
      status: "INVALID_TOTP_ERROR",
      currentNumberOfFailedAttempts: 1,
      maxNumberOfFailedAttempts: 5,
    });
    const valid = new Set([-1, 0, 1].map((o) => codeFor(secret, o)));
    const wrong = ["000000", "111111", "222222", "333333", "444444", "555555"].find((c) => !valid.has(c)) as string;
    for (let i = 2; i <= 5; i++) {
      const answer = await sdk(page, "verifyCode", { totp: wrong });
      expect(answer.currentNumberOfFailedAttempts).to.equal(i);
    }
    const locked = await sdk(page, "verifyCode", { totp: codeFor(secret, 1) });
    expect(locked.status).to.equal("LIMIT_REACHED_ERROR");
    expect(locked.retryAfterMs).to.be.within(800_000, 900_000);
  });
});
