import { expect } from "chai";
import { MultiFactorAuthClaim } from "../../recipes/multifactorauth/index";
import { isRequirementList, nextUnsatisfiedFactors } from "../../recipes/multifactorauth/requirements";
import type { JSONValue } from "../../lib/types";

describe("multifactorauth: requirement lists and the claim's shape (no database)", () => {
  it("walks the list in order: a factor, oneOf (all its factors), allOfInAnyOrder (only the missing ones)", () => {
    const list = ["emailpassword", { oneOf: ["totp", "otp-email"] }, { allOfInAnyOrder: ["otp-phone", "totp"] }];
    expect(nextUnsatisfiedFactors({}, list)).to.deep.equal({ factorIds: ["emailpassword"], type: "string" });
    expect(nextUnsatisfiedFactors({ emailpassword: 1 }, list)).to.deep.equal({
      factorIds: ["totp", "otp-email"],
      type: "oneOf",
    });
    expect(nextUnsatisfiedFactors({ emailpassword: 1, "otp-email": 2 }, list)).to.deep.equal({
      factorIds: ["otp-phone", "totp"],
      type: "allOfInAnyOrder",
    });
    expect(nextUnsatisfiedFactors({ emailpassword: 1, totp: 2 }, list)).to.deep.equal({
      factorIds: ["otp-phone"],
      type: "allOfInAnyOrder",
    });
    expect(nextUnsatisfiedFactors({ emailpassword: 1, totp: 2, "otp-phone": 3 }, list).factorIds).to.deep.equal([]);
    // The default list when nothing is required: an empty oneOf asks for nothing.
    expect(nextUnsatisfiedFactors({}, [{ oneOf: [] }]).factorIds).to.deep.equal([]);
    // Inherited names are not completed factors.
    expect(nextUnsatisfiedFactors({}, ["constructor", "toString"]).factorIds).to.deep.equal(["constructor"]);
  });

  it("recognises requirement lists and refuses anything else", () => {
    expect(isRequirementList([])).to.equal(true);
    expect(isRequirementList(["totp", { oneOf: ["a"] }, { allOfInAnyOrder: [] }])).to.equal(true);
    for (const bad of [undefined, null, "totp", [1], [{ oneOf: "totp" }], [{ anyOf: ["totp"] }], [null]]) {
      expect(isRequirementList(bad), JSON.stringify(bad)).to.equal(false);
    }
  });

  it("st-mfa is { c, v } in the payload (SuperTokens' shape); completed factors merge; a malformed entry reads as none", () => {
    const claim = MultiFactorAuthClaim;
    let payload = claim.addToPayload({ other: 1 }, { c: { emailpassword: 10 }, v: false });
    expect(payload).to.deep.equal({ other: 1, "st-mfa": { c: { emailpassword: 10 }, v: false } });
    payload = claim.addToPayload(payload, { c: { totp: 20 }, v: true });
    expect(payload["st-mfa"]).to.deep.equal({ c: { emailpassword: 10, totp: 20 }, v: true });
    const malformed: JSONValue[] = [null, { c: {}, v: "yes" }, { c: { totp: "now" }, v: true }, { v: true }, []];
    for (const entry of malformed) {
      expect(claim.getValueFromPayload({ "st-mfa": entry }), JSON.stringify(entry)).to.equal(undefined);
    }
  });
});
