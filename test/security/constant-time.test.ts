import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import sinon from "sinon";
import { sameSecret as sameHash } from "../../lib/secrets";
import { hasValidMac, parseRefreshToken } from "../../recipes/session/refreshToken";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import { countCases } from "./counts";

const ROOT = path.resolve(__dirname, "../..");
const OPERAND = String.raw`[A-Za-z_$][\w$]*(?:(?:\?\.|\.)[A-Za-z_$][\w$]*|\([^()]*\))*`;
const COMPARISON = new RegExp(String.raw`(${OPERAND})\s*(?:===|!==|==|!=)\s*(${OPERAND})`, "g");
// Names of values an attacker must not learn byte by byte from a comparison's timing.
const SECRET_NAME = /(token|secret|hash2?|mac|csrf|password|signature\w*)$/i;
// Comparisons that match by name but compare nothing secret, each with the reason.
const ALLOWED: Record<string, string> = {
  'recipes/session/accessToken.ts: signature.toString("base64url") !== signaturePart':
    "the client's own signature against its re-encoding (canonical spelling), before any key is involved",
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith(".ts") ? [full] : [];
  });
}

const lastName = (operand: string): string =>
  operand
    .replace(/\([^()]*\)/g, "")
    .split(/\?\.|\./)
    .pop() ?? "";

describe("security: secrets are compared in constant time", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    sinon.restore();
    await app?.close();
    app = undefined;
  });

  it("no ===/!== between two values named like secrets anywhere in lib/ or recipes/ (hashes go through sameHash or an indexed lookup)", () => {
    const found: string[] = [];
    let comparisons = 0;
    for (const file of [...sourceFiles(path.join(ROOT, "lib")), ...sourceFiles(path.join(ROOT, "recipes"))]) {
      const rel = path.relative(ROOT, file);
      for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        for (const [text, a = "", b = ""] of line.matchAll(COMPARISON)) {
          comparisons++;
          if ([a, b].some((x) => ["undefined", "null", "true", "false"].includes(x))) continue;
          if (!SECRET_NAME.test(lastName(a)) && !SECRET_NAME.test(lastName(b))) continue;
          if (ALLOWED[`${rel}: ${text}`] === undefined) found.push(`${rel}: ${text}`);
        }
      }
    }
    expect(comparisons, "the scan saw the code").to.be.greaterThan(100);
    expect(found).to.deep.equal([]);
    countCases("constant-time", 1);
  });

  it("the scan would catch one: it flags a plain comparison of two hashes", () => {
    const sample = "if (row.refresh_token_hash2 !== rth && presentedHash === row.previousHash) {";
    const hits = [...sample.matchAll(COMPARISON)].filter(
      ([, a = "", b = ""]) => SECRET_NAME.test(lastName(a)) || SECRET_NAME.test(lastName(b)),
    );
    expect(hits.map((h) => h[0])).to.deep.equal([
      "row.refresh_token_hash2 !== rth",
      "presentedHash === row.previousHash",
    ]);
    countCases("constant-time", 1);
  });

  it("sameHash and the refresh-token MAC check go through crypto.timingSafeEqual", () => {
    const spy = sinon.spy(crypto, "timingSafeEqual");
    const digest = crypto.createHash("sha256").update("x").digest("hex");
    expect(sameHash(digest, digest)).to.equal(true);
    expect(
      sameHash(
        digest,
        digest.replace(/^./, (c) => (c === "0" ? "1" : "0")),
      ),
    ).to.equal(false);
    // Unequal lengths are refused before comparing: every digest compared has a fixed, public length.
    expect(sameHash(digest, digest.slice(1))).to.equal(false);
    expect(spy.callCount).to.equal(2);
    const token = `${crypto.randomUUID()}.-.${crypto.randomBytes(32).toString("base64url")}.${crypto.randomBytes(32).toString("base64url")}`;
    const parsed = parseRefreshToken(token);
    if (parsed === undefined) throw new Error("a well-formed token did not parse");
    expect(hasValidMac(parsed, "secret")).to.equal(false);
    expect(spy.callCount).to.equal(3);
    countCases("constant-time", 1);
  });

  it("a refresh and an anti-CSRF check (VIA_TOKEN) compare through crypto.timingSafeEqual", async () => {
    app = await startSessionApp({ antiCsrf: "VIA_TOKEN" });
    const created = await Session.createNewSessionWithoutRequestResponse("ct-user");
    const { refreshToken = "", antiCsrfToken = "" } = created.getAllSessionTokensDangerously();
    const spy = sinon.spy(crypto, "timingSafeEqual");
    const refreshed = await Session.refreshSessionWithoutRequestResponse(refreshToken, antiCsrfToken);
    const afterRefresh = spy.callCount;
    expect(afterRefresh, "MAC, anti-CSRF and lineage compared in constant time").to.be.greaterThanOrEqual(3);
    await Session.getSession(refreshed.getAccessToken(), antiCsrfToken);
    expect(spy.callCount, "the anti-CSRF token of getSession too").to.be.greaterThan(afterRefresh);
    countCases("constant-time", 1);
  });
});
