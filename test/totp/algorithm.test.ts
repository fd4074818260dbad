import { expect } from "chai";
import { base32Decode, base32Encode, hotp, matchingStep, totp, type TOTPAlgorithm } from "../../recipes/totp/otp";
import { SecretBox } from "../../lib/secretBox";
import { otpauthURI } from "../../recipes/totp/uri";

// RFC 6238 appendix B: the seeds are the ASCII digits repeated to the hash's length; codes have 8 digits, X = 30.
const SEEDS: Record<TOTPAlgorithm, Buffer> = {
  SHA1: Buffer.from("12345678901234567890"),
  SHA256: Buffer.from("12345678901234567890123456789012"),
  SHA512: Buffer.from("1234567890123456789012345678901234567890123456789012345678901234"),
};
const VECTORS: [number, string, string, string][] = [
  [59, "94287082", "46119246", "90693936"],
  [1111111109, "07081804", "68084774", "25091201"],
  [1111111111, "14050471", "67062674", "99943326"],
  [1234567890, "89005924", "91819424", "93441116"],
  [2000000000, "69279037", "90698825", "38618901"],
  [20000000000, "65353130", "77737706", "47863826"],
];

describe("totp: the algorithm (RFC 6238, RFC 4226, RFC 4648 base32)", () => {
  it("matches every RFC 6238 appendix B vector for SHA1, SHA256 and SHA512", () => {
    for (const [seconds, sha1, sha256, sha512] of VECTORS) {
      const at = seconds * 1000;
      expect(totp(SEEDS.SHA1, { algorithm: "SHA1", digits: 8, period: 30 }, at), `SHA1 @${seconds}`).to.equal(sha1);
      expect(totp(SEEDS.SHA256, { algorithm: "SHA256", digits: 8, period: 30 }, at), `SHA256 @${seconds}`).to.equal(
        sha256,
      );
      expect(totp(SEEDS.SHA512, { algorithm: "SHA512", digits: 8, period: 30 }, at), `SHA512 @${seconds}`).to.equal(
        sha512,
      );
    }
  });

  it("matches the RFC 4226 appendix D HOTP values (6 digits)", () => {
    const expected = [
      "755224",
      "287082",
      "359152",
      "969429",
      "338314",
      "254676",
      "287922",
      "162583",
      "399871",
      "520489",
    ];
    expected.forEach((code, counter) => expect(hotp(SEEDS.SHA1, counter, "SHA1", 6)).to.equal(code));
  });

  it("accepts a code within the skew window, and nothing outside it or malformed", () => {
    const params = { algorithm: "SHA1" as const, digits: 6, period: 30 };
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    const at = (offset: number) => totp(SEEDS.SHA1, params, now + offset * 30_000);
    expect(matchingStep(SEEDS.SHA1, params, at(0), 1, now)).to.equal(step);
    expect(matchingStep(SEEDS.SHA1, params, at(-1), 1, now)).to.equal(step - 1);
    expect(matchingStep(SEEDS.SHA1, params, at(1), 1, now)).to.equal(step + 1);
    expect(matchingStep(SEEDS.SHA1, params, at(-2), 1, now)).to.equal(undefined);
    expect(matchingStep(SEEDS.SHA1, params, at(-1), 0, now)).to.equal(undefined);
    for (const bad of ["", "12345", "1234567", "abcdef", `${at(0)} `, "１２３４５６"])
      expect(matchingStep(SEEDS.SHA1, params, bad, 1, now), JSON.stringify(bad)).to.equal(undefined);
  });

  it("base32 encodes as RFC 4648 section 10 says, and decodes back", () => {
    const cases: [string, string][] = [
      ["", ""],
      ["f", "MY"],
      ["fo", "MZXQ"],
      ["foo", "MZXW6"],
      ["foob", "MZXW6YQ"],
      ["fooba", "MZXW6YTB"],
      ["foobar", "MZXW6YTBOI"],
    ];
    for (const [plain, encoded] of cases) {
      expect(base32Encode(Buffer.from(plain))).to.equal(encoded);
      expect(base32Decode(encoded)?.toString()).to.equal(plain);
    }
    expect(base32Decode("MZXW6YTBOI======")?.toString()).to.equal("foobar");
    expect(base32Decode("not base32!")).to.equal(undefined);
  });

  it("builds the otpauth:// URI authenticator apps read (label issuer:account, percent-encoded)", () => {
    const uri = otpauthURI({
      issuer: "My Shop",
      account: "alice+1@example.com",
      secretBase32: "JBSWY3DPEHPK3PXP",
      algorithm: "SHA1",
      digits: 6,
      period: 30,
    });
    expect(uri).to.equal(
      "otpauth://totp/My%20Shop:alice%2B1%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=My%20Shop&algorithm=SHA1&digits=6&period=30",
    );
    const parsed = new URL(uri);
    expect(parsed.protocol).to.equal("otpauth:");
    expect(parsed.searchParams.get("issuer")).to.equal("My Shop");
  });

  it("seals a secret so that only the configured key, on the same row, opens it; old keys still open after rotation", () => {
    const key1 = "k".repeat(32);
    const key2 = "m".repeat(32);
    const secret = Buffer.from("0123456789abcdefghij");
    const sealed = new SecretBox([key1], "latchkey totp secret v1").seal(secret, "row-a");
    expect(sealed).not.to.include(secret.toString("hex"));
    expect(sealed).not.to.include(base32Encode(secret));
    expect(new SecretBox([key1], "latchkey totp secret v1").open(sealed, "row-a")?.equals(secret)).to.equal(true);
    expect(new SecretBox([key1], "latchkey totp secret v1").open(sealed, "row-b")).to.equal(undefined);
    expect(new SecretBox([key2], "latchkey totp secret v1").open(sealed, "row-a")).to.equal(undefined);
    expect(new SecretBox([key2, key1], "latchkey totp secret v1").open(sealed, "row-a")?.equals(secret)).to.equal(true);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith("A") ? "BB" : "AA");
    expect(new SecretBox([key1], "latchkey totp secret v1").open(tampered, "row-a")).to.equal(undefined);
  });
});
