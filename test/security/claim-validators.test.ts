import { expect } from "chai";
import { LatchkeyError } from "../../lib/error";
import EmailVerification, { EmailVerificationClaim } from "../../recipes/emailverification/index";
import { verifySession } from "../../recipes/session/framework/express";
import Session, { BooleanClaim, PrimitiveArrayClaim, type SessionClaimValidator } from "../../recipes/session/index";
import { testDbKind } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import { countCases } from "./counts";

const isAdmin = new BooleanClaim("is-admin", () => true);
const roles = new PrimitiveArrayClaim<string>("roles", () => ["editor", "viewer"]);
const payloadOf = (key: string, v: unknown) => ({ [key]: { v, t: Date.now() } }) as never;
const quiet = { override: (o: { sendEmail: unknown }) => ({ ...o, sendEmail: () => Promise.resolve() }) };

function expectInvalidConfig(run: () => unknown, field: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught, "threw").to.be.instanceOf(LatchkeyError);
  expect((caught as LatchkeyError).type).to.equal("INVALID_CONFIG");
  expect((caught as Error).message).to.match(field);
}

describe(`security: SuperTokens' claim validator names, and a wrong validator fails at set-up (${testDbKind()})`, () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("validators.isTrue() / isFalse() / hasValue() on boolean claims (EmailVerificationClaim too), the old booleanValidators as aliases", async () => {
    countCases("claims");
    const yes = payloadOf("is-admin", true);
    const no = payloadOf("is-admin", false);
    const check = (v: SessionClaimValidator, p: never) => v.validate(p, {});
    expect(await check(isAdmin.validators.isTrue(), yes)).to.deep.equal({ isValid: true });
    expect((await check(isAdmin.validators.isTrue(), no)).isValid).to.equal(false);
    expect(await check(isAdmin.validators.isFalse(), no)).to.deep.equal({ isValid: true });
    expect(await check(isAdmin.validators.hasValue(false), no)).to.deep.equal({ isValid: true });
    expect(await check(isAdmin.booleanValidators.isTrue(), yes)).to.deep.equal({ isValid: true });
    expect((await check(isAdmin.booleanValidators.isFalse(), yes)).isValid).to.equal(false);
    expect(isAdmin.validators.isTrue(60, "my-id").id).to.equal("my-id");
    for (const v of [
      EmailVerificationClaim.validators.isVerified(),
      EmailVerificationClaim.validators.isTrue(),
      EmailVerificationClaim.validators.isFalse(),
      EmailVerificationClaim.validators.hasValue(true),
      EmailVerificationClaim.emailValidators.isVerified(),
    ])
      expect(v.id).to.equal("st-ev");
    expect(await check(EmailVerificationClaim.validators.isVerified(), payloadOf("st-ev", true))).to.deep.equal({
      isValid: true,
    });
  });

  it("array claims: includes, excludes, includesAll, includesAny, excludesAll (a missing list fails every one)", async () => {
    countCases("claims");
    const p = payloadOf("roles", ["editor", "viewer"]);
    const ok = async (v: SessionClaimValidator, payload: never = p) => (await v.validate(payload, {})).isValid;
    expect(await ok(roles.validators.includes("editor"))).to.equal(true);
    expect(await ok(roles.validators.excludes("admin"))).to.equal(true);
    expect(await ok(roles.validators.includesAll(["editor", "viewer"]))).to.equal(true);
    expect(await ok(roles.validators.includesAll(["editor", "admin"]))).to.equal(false);
    expect(await ok(roles.validators.includesAny(["admin", "viewer"]))).to.equal(true);
    expect(await ok(roles.validators.includesAny(["admin"]))).to.equal(false);
    expect(await ok(roles.validators.excludesAll(["admin", "root"]))).to.equal(true);
    expect(await ok(roles.validators.excludesAll(["admin", "viewer"]))).to.equal(false);
    expect(await ok(roles.validators.excludesAll(["admin"]), {} as never)).to.equal(false);
  });

  it("a validator passed uncalled, or not a validator, is INVALID_CONFIG at verifySession() time", async () => {
    countCases("claims");
    app = await startSessionApp(
      {},
      { extraRecipes: [EmailVerification.init({ mode: "OPTIONAL", emailDelivery: quiet as never })] },
    );
    expectInvalidConfig(
      () =>
        verifySession({
          overrideGlobalClaimValidators: (globals) => [
            ...globals,
            EmailVerificationClaim.validators.isVerified as unknown as SessionClaimValidator,
          ],
        }),
      /^verifySession\.overrideGlobalClaimValidators\(\) result\[0\]: is a function, not a validator: call it/,
    );
    expectInvalidConfig(
      () => verifySession({ overrideGlobalClaimValidators: () => [{ id: "x" } as unknown as SessionClaimValidator] }),
      /result\[0\]: is not a claim validator/,
    );
    expectInvalidConfig(
      () => verifySession({ overrideGlobalClaimValidators: [] as never }),
      /^verifySession\.overrideGlobalClaimValidators: must be a function/,
    );
    expectInvalidConfig(() => verifySession({ sessionRequired: "no" as never }), /^verifySession\.sessionRequired/);
    expectInvalidConfig(() => verifySession({ sessionRequird: false } as never), /^verifySession/);
    // Right ones pass, including one that reads the session (checked per request instead).
    verifySession({ overrideGlobalClaimValidators: (g) => [...g, EmailVerificationClaim.validators.isVerified()] });
    verifySession({ overrideGlobalClaimValidators: (g, s) => (s.getUserId() === "x" ? [] : g) });
    verifySession({ overrideGlobalClaimValidators: async (g) => Promise.resolve(g) });
  });

  it("a wrong validator that depends on the session is a typed INVALID_CONFIG per request (never a TypeError), and assertClaims checks its list", async () => {
    countCases("claims");
    app = await startSessionApp(
      {},
      { extraRecipes: [EmailVerification.init({ mode: "OPTIONAL", emailDelivery: quiet as never })] },
    );
    const created = await Session.createNewSessionWithoutRequestResponse("claims-user");
    const token = created.getAccessToken();
    const typed = async (run: () => Promise<unknown>): Promise<string> => {
      try {
        await run();
      } catch (err) {
        expect(err).to.be.instanceOf(LatchkeyError);
        return `${(err as LatchkeyError).type}: ${(err as Error).message}`;
      }
      return "no error";
    };
    expect(
      await typed(() =>
        Session.getSessionWithoutRequestResponse(token, undefined, {
          overrideGlobalClaimValidators: (g, s) =>
            s.getUserId() === "claims-user" ? [EmailVerificationClaim.validators.isTrue as never] : g,
        }),
      ),
    ).to.match(/^INVALID_CONFIG: verifySession options\.overrideGlobalClaimValidators\(\) result\[0\]/);
    expect(await typed(() => created.assertClaims([isAdmin.validators.isTrue as never]))).to.match(
      /^INVALID_CONFIG: session\.assertClaims validators\[0\]/,
    );
  });
});
