import { expect } from "chai";
import Latchkey from "../../lib/index";
import EmailVerification from "../../recipes/emailverification/index";
import Passwordless from "../../recipes/passwordless/index";
import ThirdParty from "../../recipes/thirdparty/index";
import { rawKnex } from "../helpers/db";
import { startPasswordlessApp, type PasswordlessTestApp } from "./app";

describe("passwordless: single use, attempt limit under races, hashes only, users in getUser/deleteUser", () => {
  let app: PasswordlessTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("two requests racing to consume one typed code: exactly one signs in, the other is RESTART_FLOW_ERROR", async () => {
    app = await startPasswordlessApp();
    for (let round = 0; round < 3; round++) {
      const code = await Passwordless.createCode({ email: `race${round}@example.com` });
      const body = {
        userInputCode: code.userInputCode,
        deviceId: code.deviceId,
        preAuthSessionId: code.preAuthSessionId,
      };
      const results = await Promise.all([1, 2, 3].map(() => app!.post("/signinup/code/consume", body)));
      const statuses = results.map((r) => r.json.status).sort();
      expect(statuses).to.deep.equal(["OK", "RESTART_FLOW_ERROR", "RESTART_FLOW_ERROR"]);
    }
  });

  it("two requests racing to follow one magic link: exactly one signs in", async () => {
    app = await startPasswordlessApp();
    const code = await Passwordless.createCode({ email: "linkrace@example.com" });
    const body = { linkCode: code.linkCode, preAuthSessionId: code.preAuthSessionId };
    const results = await Promise.all([1, 2, 3].map(() => app!.post("/signinup/code/consume", body)));
    expect(results.map((r) => r.json.status).sort()).to.deep.equal(["OK", "RESTART_FLOW_ERROR", "RESTART_FLOW_ERROR"]);
  });

  it("ten wrong codes at once never get more than the device's 5 attempts; the right code afterwards is refused", async () => {
    app = await startPasswordlessApp();
    const code = await Passwordless.createCode({ email: "burst@example.com", userInputCode: "424242" });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        app!.post("/signinup/code/consume", {
          userInputCode: String(100000 + i),
          deviceId: code.deviceId,
          preAuthSessionId: code.preAuthSessionId,
        }),
      ),
    );
    const counts = results
      .filter((r) => r.json.status === "INCORRECT_USER_INPUT_CODE_ERROR")
      .map((r) => r.json.failedCodeInputAttemptCount as number)
      .sort();
    expect(counts).to.deep.equal([1, 2, 3, 4]);
    expect(results.filter((r) => r.json.status === "RESTART_FLOW_ERROR")).to.have.length(6);
    const right = await app.post("/signinup/code/consume", {
      userInputCode: "424242",
      deviceId: code.deviceId,
      preAuthSessionId: code.preAuthSessionId,
    });
    expect(right.json).to.deep.equal({ status: "RESTART_FLOW_ERROR" });
  });

  it("two first sign-ins of one email racing make one user", async () => {
    app = await startPasswordlessApp();
    const [a, b] = await Promise.all([1, 2].map(() => Passwordless.createCode({ email: "twin@example.com" })));
    const results = await Promise.all(
      [a!, b!].map((c) =>
        Passwordless.consumeCode({
          userInputCode: c.userInputCode,
          deviceId: c.deviceId,
          preAuthSessionId: c.preAuthSessionId,
        }),
      ),
    );
    const ok = results.map((r) => (r.status === "OK" ? r : undefined));
    expect(ok.every((r) => r !== undefined)).to.equal(true);
    expect(new Set(ok.map((r) => r?.user.id)).size).to.equal(1);
    expect(ok.filter((r) => r?.createdNewRecipeUser === true)).to.have.length(1);
  });

  it("the database holds only hashes: no code, link code or device id appears in any passwordless table", async () => {
    app = await startPasswordlessApp();
    const code = await Passwordless.createCode({ email: "hash@example.com" });
    const knex = rawKnex(app.lk.url);
    try {
      const dump = JSON.stringify([
        await knex(`${app.lk.prefix}passwordless_devices`).select(),
        await knex(`${app.lk.prefix}passwordless_codes`).select(),
      ]);
      expect(dump).to.include(code.preAuthSessionId);
      for (const secret of [code.userInputCode, code.linkCode, code.deviceId]) expect(dump).to.not.include(secret);
    } finally {
      await knex.destroy();
    }
  });

  it("Latchkey.getUser lists the passwordless login method with email and phone; deleteUser removes the user and their flows", async () => {
    app = await startPasswordlessApp();
    const { user } = await Passwordless.signInUp({ email: "both@example.com" });
    expect(await Passwordless.updateUser({ userId: user.id, phoneNumber: "+33 6 12 34 56 70" })).to.deep.equal({
      status: "OK",
    });
    const found = await Latchkey.getUser(user.id);
    expect(found?.emails).to.deep.equal(["both@example.com"]);
    expect(found?.phoneNumbers).to.deep.equal(["+33612345670"]);
    expect(found?.loginMethods.map((m) => m.recipeId)).to.deep.equal(["passwordless"]);
    await Passwordless.createCode({ email: "both@example.com" });
    expect(await Passwordless.listCodesByEmail({ email: "both@example.com" })).to.have.length(1);
    await Latchkey.deleteUser(user.id);
    expect(await Latchkey.getUser(user.id)).to.equal(undefined);
    expect(await Passwordless.listCodesByEmail({ email: "both@example.com" })).to.deep.equal([]);
  });

  it("server functions: list, revoke, resend with a custom code, createMagicLink, updateUser's conflicts", async () => {
    app = await startPasswordlessApp({ getCustomUserInputCode: () => "777777" });
    const first = await Passwordless.createCode({ phoneNumber: "+33612345671" });
    expect(first.userInputCode).to.equal("777777");
    // The generator repeats itself: the device already has that code.
    expect((await Passwordless.createNewCodeForDevice({ deviceId: first.deviceId })).status).to.equal(
      "USER_INPUT_CODE_ALREADY_USED_ERROR",
    );
    const second = await Passwordless.createNewCodeForDevice({ deviceId: first.deviceId, userInputCode: "123123" });
    expect(second.status).to.equal("OK");
    const device = await Passwordless.listCodesByDeviceId({ deviceId: first.deviceId });
    expect(device?.codes).to.have.length(2);
    expect(device?.phoneNumber).to.equal("+33612345671");
    expect(await Passwordless.listCodesByPhoneNumber({ phoneNumber: "+33 6 12 34 56 71" })).to.have.length(1);
    await Passwordless.revokeCode({ codeId: first.codeId });
    expect(
      (await Passwordless.listCodesByPreAuthSessionId({ preAuthSessionId: first.preAuthSessionId }))?.codes,
    ).to.have.length(1);
    await Passwordless.revokeAllCodes({ phoneNumber: "+33612345671" });
    expect(await Passwordless.listCodesByDeviceId({ deviceId: first.deviceId })).to.equal(undefined);
    expect((await Passwordless.createNewCodeForDevice({ deviceId: first.deviceId })).status).to.equal(
      "RESTART_FLOW_ERROR",
    );

    const link = new URL(await Passwordless.createMagicLink({ email: "magic@example.com" }));
    expect(link.origin + link.pathname).to.equal("http://localhost:3000/auth/verify");
    expect(link.searchParams.get("tenantId")).to.equal("public");
    const consumed = await Passwordless.consumeCode({
      linkCode: link.hash.slice(1),
      preAuthSessionId: link.searchParams.get("preAuthSessionId") ?? "",
    });
    expect(consumed.status).to.equal("OK");

    const a = await Passwordless.signInUp({ email: "a@example.com" });
    await Passwordless.signInUp({ email: "b@example.com" });
    expect(await Passwordless.updateUser({ userId: a.user.id, email: "B@example.com" })).to.deep.equal({
      status: "EMAIL_ALREADY_EXISTS_ERROR",
    });
    expect(await Passwordless.updateUser({ userId: "no-such-user", email: "c@example.com" })).to.deep.equal({
      status: "UNKNOWN_USER_ID_ERROR",
    });
    let refused: unknown;
    try {
      await Passwordless.updateUser({ userId: a.user.id, email: null });
    } catch (err) {
      refused = err;
    }
    expect((refused as { type?: string }).type).to.equal("BAD_INPUT_ERROR");
    expect((await Passwordless.getUserByEmail({ email: "a@example.com" }))?.id).to.equal(a.user.id);
  });

  it("with EmailVerification listed, a consumed email code marks the email verified (getUser says so)", async () => {
    app = await startPasswordlessApp(
      {},
      {
        extraRecipes: [
          EmailVerification.init({
            mode: "OPTIONAL",
            emailDelivery: { override: (o) => ({ ...o, sendEmail: () => Promise.resolve() }) },
          }),
        ],
      },
    );
    const code = await Passwordless.createCode({ email: "ev@example.com" });
    const res = await app.post("/signinup/code/consume", {
      userInputCode: code.userInputCode,
      deviceId: code.deviceId,
      preAuthSessionId: code.preAuthSessionId,
    });
    const user = res.json.user as { id: string; loginMethods: { verified: boolean }[] };
    expect(user.loginMethods[0]?.verified).to.equal(true);
    expect((await Latchkey.getUser(user.id))?.loginMethods[0]?.verified).to.equal(true);
  });

  it("GET /loginmethods (ThirdParty's) says passwordless is enabled and lists its factors as first factors", async () => {
    app = await startPasswordlessApp(
      { contactMethod: "EMAIL", flowType: "USER_INPUT_CODE_AND_MAGIC_LINK" },
      {
        extraRecipes: [
          ThirdParty.init({
            signInAndUpFeature: {
              providers: [
                { config: { thirdPartyId: "idp", issuer: "http://127.0.0.1:9", clients: [{ clientId: "c" }] } },
              ],
            },
          }),
        ],
      },
    );
    const res = await app.client.request("GET", "/auth/loginmethods", { headers: { rid: "thirdparty" } });
    expect(res.json.passwordless).to.deep.equal({ enabled: true });
    expect(res.json.firstFactors).to.deep.equal(["thirdparty", "otp-email", "link-email"]);
  });

  it("an override of consumeCode is what the route uses (overrides reach the API)", async () => {
    let calls = 0;
    app = await startPasswordlessApp({
      override: {
        functions: (o) => ({
          ...o,
          consumeCode: (input) => {
            calls++;
            return o.consumeCode(input);
          },
        }),
      },
    });
    const code = await Passwordless.createCode({ email: "ov@example.com" });
    const res = await app.post("/signinup/code/consume", {
      userInputCode: code.userInputCode,
      deviceId: code.deviceId,
      preAuthSessionId: code.preAuthSessionId,
    });
    expect(res.json.status).to.equal("OK");
    expect(calls).to.equal(1);
  });
  it("updateUser ends the codes and links sent to the old and the new address; those to unchanged ones stay", async () => {
    app = await startPasswordlessApp();
    const { user } = await Passwordless.signInUp({ email: "old@example.com" });
    await Passwordless.updateUser({ userId: user.id, phoneNumber: "+33612345672" });
    const toOld = await Passwordless.createCode({ email: "old@example.com" });
    const toNew = await Passwordless.createCode({ email: "new@example.com" });
    const toPhone = await Passwordless.createCode({ phoneNumber: "+33612345672" });
    expect(await Passwordless.updateUser({ userId: user.id, email: "new@example.com" })).to.deep.equal({
      status: "OK",
    });
    for (const code of [toOld, toNew]) {
      const res = await app.post("/signinup/code/consume", {
        userInputCode: code.userInputCode,
        deviceId: code.deviceId,
        preAuthSessionId: code.preAuthSessionId,
      });
      expect(res.json.status).to.equal("RESTART_FLOW_ERROR");
    }
    expect(await Passwordless.listCodesByEmail({ email: "old@example.com" })).to.deep.equal([]);
    expect(await Passwordless.listCodesByEmail({ email: "new@example.com" })).to.deep.equal([]);
    // The phone did not change: its code still signs this user in.
    const res = await app.post("/signinup/code/consume", {
      userInputCode: toPhone.userInputCode,
      deviceId: toPhone.deviceId,
      preAuthSessionId: toPhone.preAuthSessionId,
    });
    expect(res.json.status).to.equal("OK");
    expect((res.json.user as { id: string }).id).to.equal(user.id);
  });
});
