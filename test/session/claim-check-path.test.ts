import { expect } from "chai";
import sinon from "sinon";
import EmailVerification, { EmailVerificationClaim } from "../../recipes/emailverification/index";
import Session, {
  PrimitiveArrayClaim,
  type SessionClaimValidator,
  type VerifySessionOptions,
} from "../../recipes/session/index";
import { initLatchkey, type TestLatchkey } from "../helpers/app";
import { testDbKind } from "../helpers/db";

// verifySession's claim check runs without a promise when every value is fresh and every validator is synchronous;
// these cases take the other turns: an asynchronous validator, a refetch, and an override that edits its argument.
const quiet = { override: (o: { sendEmail: unknown }) => ({ ...o, sendEmail: () => Promise.resolve() }) };

async function refusal(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    if (Session.Error.isSessionError(err) && err.type === "INVALID_CLAIMS") return err.payload.claimValidationErrors;
    throw err;
  }
  throw new Error("expected INVALID_CLAIMS");
}

describe(`session: the claim check's paths (${testDbKind()})`, () => {
  let lk: TestLatchkey;
  let token: string;
  beforeEach(async () => {
    lk = initLatchkey([Session.init(), EmailVerification.init({ mode: "OPTIONAL", emailDelivery: quiet })]);
    token = (await Session.createNewSessionWithoutRequestResponse("u1", {})).getAccessToken();
  });
  afterEach(async () => {
    sinon.restore();
    await lk.cleanup();
  });

  it("an asynchronous validator among synchronous ones: every failure is listed, in the validators' order", async () => {
    const tags = new PrimitiveArrayClaim<string>("tags", () => ["a"]);
    const slowNo: SessionClaimValidator = {
      id: "slow-no",
      claim: tags.validators.includes("a").claim,
      shouldRefetch: () => false,
      validate: async () => ({ isValid: false, reason: "slow says no" }),
    };
    const options: VerifySessionOptions = {
      overrideGlobalClaimValidators: () => [
        tags.validators.includes("a"),
        tags.validators.includes("zzz", undefined, "first"),
        slowNo,
        tags.validators.excludes("a", undefined, "last"),
      ],
    };
    const errors = await refusal(() => Session.getSessionWithoutRequestResponse(token, undefined, options));
    expect((errors as { id: string }[]).map((e) => e.id)).to.deep.equal(["first", "slow-no", "last"]);
    const passing: VerifySessionOptions = {
      overrideGlobalClaimValidators: () => [{ ...slowNo, validate: async () => ({ isValid: true }) }],
    };
    const session = await Session.getSessionWithoutRequestResponse(token, undefined, passing);
    expect(session.getUserId()).to.equal("u1");
  });

  it("a missing value is fetched once for several validators of its claim, and the new token carries it", async () => {
    const fetch = sinon.fake.resolves(["admin", "editor"]);
    const roles = new PrimitiveArrayClaim<string>("app-roles", fetch);
    const session = await Session.getSessionWithoutRequestResponse(token, undefined, {
      overrideGlobalClaimValidators: () => [roles.validators.includes("admin"), roles.validators.excludes("banned")],
    });
    expect(fetch.callCount).to.equal(1);
    expect(session.getClaimValue(roles)).to.deep.equal(["admin", "editor"]);
    const renewed = session.getAllSessionTokensDangerously();
    expect(renewed.accessAndFrontTokenUpdated).to.equal(true);
    const again = await Session.getSessionWithoutRequestResponse(renewed.accessToken, undefined, {
      overrideGlobalClaimValidators: () => [roles.validators.includes("editor")],
    });
    expect(fetch.callCount).to.equal(1);
    expect(again.getAllSessionTokensDangerously().accessAndFrontTokenUpdated).to.equal(false);
  });

  it("an override that pushes onto the global list does not grow it for the next request", async () => {
    const seen: number[] = [];
    const options: VerifySessionOptions = {
      overrideGlobalClaimValidators: (globals) => {
        seen.push(globals.length);
        globals.push(EmailVerificationClaim.validators.isTrue());
        return globals;
      },
    };
    for (let i = 0; i < 3; i++) await Session.getSessionWithoutRequestResponse(token, undefined, options);
    // EmailVerification in OPTIONAL mode asks for no global validator: each request is given an empty list.
    expect(seen).to.deep.equal([0, 0, 0]);
  });
});
