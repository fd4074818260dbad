import { expect } from "chai";
import Latchkey from "../../lib/index";
import { LatchkeyError } from "../../lib/error";
import Session from "../../recipes/session/index";

describe("LatchkeyError", () => {
  it("carries a stable type, a payload, and errType as an alias of type", () => {
    const err = new Latchkey.Error("UNAUTHORISED", "session expired", { payload: { clearTokens: true } });
    expect(err).to.be.instanceOf(Error);
    expect(err.type).to.equal("UNAUTHORISED");
    expect(err.errType).to.equal("UNAUTHORISED");
    expect(err.payload).to.deep.equal({ clearTokens: true });
    expect(err.message).to.equal("session expired");
    expect(err.name).to.equal("LatchkeyError");
  });

  it("exposes the type strings as statics, as the seeds compare them (the session's on Session.Error)", () => {
    expect(Latchkey.Error.GENERAL_ERROR).to.equal("GENERAL_ERROR");
    expect(Session.Error.GENERAL_ERROR).to.equal("GENERAL_ERROR");
    expect(Session.Error.UNAUTHORISED).to.equal("UNAUTHORISED");
    expect(Session.Error.TRY_REFRESH_TOKEN).to.equal("TRY_REFRESH_TOKEN");
    expect(Session.Error.TOKEN_THEFT_DETECTED).to.equal("TOKEN_THEFT_DETECTED");
    expect(Session.Error.INVALID_CLAIMS).to.equal("INVALID_CLAIMS");
  });

  it("isErrorFromAuth tells ours from every other value", () => {
    expect(Latchkey.Error.isErrorFromAuth(new LatchkeyError("GENERAL_ERROR", "x"))).to.equal(true);
    for (const other of [
      new Error("x"),
      new TypeError("x"),
      null,
      undefined,
      "GENERAL_ERROR",
      { type: "GENERAL_ERROR" },
    ]) {
      expect(Latchkey.Error.isErrorFromAuth(other)).to.equal(false);
    }
  });

  it("recognises an error raised by another copy of the package", () => {
    // Two installed copies have two LatchkeyError classes; the registered symbol brand is shared between them.
    const foreign = Object.assign(new Error("x"), { [Symbol.for("latchkey.error")]: true, type: "UNAUTHORISED" });
    expect(Latchkey.Error.isErrorFromAuth(foreign)).to.equal(true);
    expect(foreign instanceof LatchkeyError).to.equal(false);
  });

  it("keeps a cause without putting it in the message", () => {
    const cause = new Error("inner");
    const err = new LatchkeyError("GENERAL_ERROR", "outer", { cause });
    expect(err.cause).to.equal(cause);
    expect(err.message).to.equal("outer");
  });
});
