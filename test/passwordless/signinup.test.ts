import { expect } from "chai";
import sinon from "sinon";
import Latchkey from "../../lib/index";
import Passwordless from "../../recipes/passwordless/index";
import { customClaims, decodeFrontToken } from "../helpers/http";
import { Session } from "../helpers/sessionApp";
import { startPasswordlessApp, type PasswordlessTestApp } from "./app";

type Body = Record<string, unknown>;

/** The code and link of a message. */
function secretsOf(message: { userInputCode?: string; urlWithLinkCode?: string }): {
  code: string;
  linkCode: string;
  preAuthSessionId: string;
} {
  const url = new URL(message.urlWithLinkCode ?? "http://x/");
  return {
    code: message.userInputCode ?? "",
    linkCode: url.hash.slice(1),
    preAuthSessionId: url.searchParams.get("preAuthSessionId") ?? "",
  };
}

describe("passwordless: sign-in/up over the FDI routes", () => {
  let app: PasswordlessTestApp | undefined;
  afterEach(async () => {
    sinon.restore();
    await app?.close();
    app = undefined;
  });

  async function start(
    email: string,
    a: PasswordlessTestApp,
  ): Promise<{ started: Body; code: string; linkCode: string }> {
    const res = await a.post("/signinup/code", { email });
    expect(res.status).to.equal(200);
    const message = await a.nextMessage(email.trim().toLowerCase());
    const { code, linkCode, preAuthSessionId } = secretsOf(message);
    expect(preAuthSessionId).to.equal(res.json.preAuthSessionId);
    return { started: res.json, code, linkCode };
  }

  it("email code: OK with deviceId/preAuthSessionId/flowType, then the typed code signs up, then in, with a session", async () => {
    app = await startPasswordlessApp();
    const first = await start(" Ann@Example.COM", app);
    expect(first.started).to.have.keys(["status", "deviceId", "preAuthSessionId", "flowType"]);
    expect(first.started.status).to.equal("OK");
    expect(first.started.flowType).to.equal("USER_INPUT_CODE_AND_MAGIC_LINK");
    expect(first.code).to.match(/^\d{6}$/);
    const up = await app.post("/signinup/code/consume", {
      userInputCode: first.code,
      deviceId: first.started.deviceId,
      preAuthSessionId: first.started.preAuthSessionId,
    });
    expect(up.status).to.equal(200);
    expect(up.json.status).to.equal("OK");
    expect(up.json.createdNewRecipeUser).to.equal(true);
    const user = up.json.user as { id: string; emails: string[]; phoneNumbers: string[]; loginMethods: Body[] };
    expect(user.emails).to.deep.equal(["ann@example.com"]);
    expect(user.phoneNumbers).to.deep.equal([]);
    expect(user.loginMethods).to.have.length(1);
    expect(user.loginMethods[0]).to.include({
      recipeId: "passwordless",
      recipeUserId: user.id,
      email: "ann@example.com",
    });
    expect(app.client.cookie("sAccessToken")).to.be.a("string");
    const me = await app.client.request("GET", "/protected");
    expect(me.json.userId).to.equal(user.id);

    const second = await start("ann@example.com", app);
    const again = await app.post("/signinup/code/consume", {
      userInputCode: second.code,
      deviceId: second.started.deviceId,
      preAuthSessionId: second.started.preAuthSessionId,
    });
    expect(again.json.status).to.equal("OK");
    expect(again.json.createdNewRecipeUser).to.equal(false);
    expect((again.json.user as { id: string }).id).to.equal(user.id);
  });

  it("magic link: the link's code with its preAuthSessionId signs in once; the same link again is RESTART_FLOW_ERROR", async () => {
    app = await startPasswordlessApp({ flowType: "MAGIC_LINK" });
    const { started, code, linkCode } = await start("link@example.com", app);
    expect(code).to.equal("");
    expect(started.flowType).to.equal("MAGIC_LINK");
    const body = { linkCode, preAuthSessionId: started.preAuthSessionId };
    const ok = await app.post("/signinup/code/consume", body);
    expect(ok.json.status).to.equal("OK");
    expect(ok.json.createdNewRecipeUser).to.equal(true);
    expect((await app.post("/signinup/code/consume", body)).json).to.deep.equal({ status: "RESTART_FLOW_ERROR" });
    // A link code with another flow's preAuthSessionId is refused too.
    const other = await start("link@example.com", app);
    const crossed = await app.post("/signinup/code/consume", {
      linkCode: other.linkCode,
      preAuthSessionId: started.preAuthSessionId,
    });
    expect(crossed.json).to.deep.equal({ status: "RESTART_FLOW_ERROR" });
  });

  it("phone: stored as E.164, the SMS service gets the code; an invalid number is GENERAL_ERROR with a message", async () => {
    app = await startPasswordlessApp({ contactMethod: "PHONE", flowType: "USER_INPUT_CODE" });
    const bad = await app.post("/signinup/code", { phoneNumber: "+1 555 0100" });
    expect(bad.json).to.deep.equal({ status: "GENERAL_ERROR", message: "Phone number is invalid" });
    const started = await app.post("/signinup/code", { phoneNumber: "+33 6 12 34 56 78" });
    expect(started.json.status).to.equal("OK");
    const sms = await app.nextMessage("+33612345678");
    expect(sms).to.not.have.property("urlWithLinkCode");
    const done = await app.post("/signinup/code/consume", {
      userInputCode: sms.userInputCode,
      deviceId: started.json.deviceId,
      preAuthSessionId: started.json.preAuthSessionId,
    });
    expect(done.json.status).to.equal("OK");
    const user = done.json.user as { phoneNumbers: string[]; loginMethods: Body[] };
    expect(user.phoneNumbers).to.deep.equal(["+33612345678"]);
    expect(user.loginMethods[0]).to.include({ recipeId: "passwordless", phoneNumber: "+33612345678", verified: true });
    // An email where contactMethod is PHONE, both at once, or neither: 400 with a message.
    for (const body of [{ email: "a@example.com" }, { email: "a@example.com", phoneNumber: "+33612345678" }, {}]) {
      const res = await app.post("/signinup/code", body);
      expect(res.status).to.equal(400);
      expect(res.json.message).to.be.a("string");
    }
  });

  it("an invalid email is GENERAL_ERROR with the validator's message; a custom validator decides", async () => {
    app = await startPasswordlessApp({
      validateEmailAddress: (email) => (email.endsWith("@example.com") ? undefined : "Use your work email"),
    });
    expect((await app.post("/signinup/code", { email: "x@gmail.com" })).json).to.deep.equal({
      status: "GENERAL_ERROR",
      message: "Use your work email",
    });
    expect((await app.post("/signinup/code", { email: "x@example.com" })).json.status).to.equal("OK");
    expect((await app.post("/signinup/code", { email: 42 })).status).to.equal(400);
  });

  it("wrong codes count per device: INCORRECT with the count and the maximum, the 5th is RESTART_FLOW_ERROR and ends the device", async () => {
    app = await startPasswordlessApp();
    const { started, code } = await start("guess@example.com", app);
    const wrong = code === "000000" ? "111111" : "000000";
    const attempt = (userInputCode: string) =>
      app!.post("/signinup/code/consume", {
        userInputCode,
        deviceId: started.deviceId,
        preAuthSessionId: started.preAuthSessionId,
      });
    for (let i = 1; i <= 4; i++) {
      expect((await attempt(wrong)).json).to.deep.equal({
        status: "INCORRECT_USER_INPUT_CODE_ERROR",
        failedCodeInputAttemptCount: i,
        maximumCodeInputAttempts: 5,
      });
    }
    expect((await attempt(wrong)).json).to.deep.equal({ status: "RESTART_FLOW_ERROR" });
    // The right code no longer helps: the device is gone.
    expect((await attempt(code)).json).to.deep.equal({ status: "RESTART_FLOW_ERROR" });
    expect(await Latchkey.getUser("nobody")).to.equal(undefined);
  });

  it("a right code after wrong ones still works (attempts left), and a deviceId that is not the preAuthSessionId's is RESTART_FLOW_ERROR", async () => {
    app = await startPasswordlessApp();
    const { started, code } = await start("late@example.com", app);
    const other = await start("late@example.com", app);
    const mixed = await app.post("/signinup/code/consume", {
      userInputCode: code,
      deviceId: other.started.deviceId,
      preAuthSessionId: started.preAuthSessionId,
    });
    expect(mixed.json).to.deep.equal({ status: "RESTART_FLOW_ERROR" });
    const wrong = await app.post("/signinup/code/consume", {
      userInputCode: code === "000000" ? "111111" : "000000",
      deviceId: started.deviceId,
      preAuthSessionId: started.preAuthSessionId,
    });
    expect(wrong.json.status).to.equal("INCORRECT_USER_INPUT_CODE_ERROR");
    const right = await app.post("/signinup/code/consume", {
      userInputCode: code,
      deviceId: started.deviceId,
      preAuthSessionId: started.preAuthSessionId,
    });
    expect(right.json.status).to.equal("OK");
  });

  it("a code typed after its lifetime is EXPIRED_USER_INPUT_CODE_ERROR (and counts); an expired link is RESTART_FLOW_ERROR", async () => {
    app = await startPasswordlessApp({ codeLifetime: 15 });
    const { started, code, linkCode } = await start("slow@example.com", app);
    const clock = sinon.useFakeTimers({ now: Date.now() + 15 * 60_000 + 1000, toFake: ["Date"] });
    const typed = await app.post("/signinup/code/consume", {
      userInputCode: code,
      deviceId: started.deviceId,
      preAuthSessionId: started.preAuthSessionId,
    });
    expect(typed.json).to.deep.equal({
      status: "EXPIRED_USER_INPUT_CODE_ERROR",
      failedCodeInputAttemptCount: 1,
      maximumCodeInputAttempts: 5,
    });
    const followed = await app.post("/signinup/code/consume", { linkCode, preAuthSessionId: started.preAuthSessionId });
    expect(followed.json).to.deep.equal({ status: "RESTART_FLOW_ERROR" });
    clock.restore();
  });

  it("resend: a new code for the same device (the old one still works until it expires); an unknown device is RESTART_FLOW_ERROR", async () => {
    app = await startPasswordlessApp();
    const { started } = await start("again@example.com", app);
    const resent = await app.post("/signinup/code/resend", {
      deviceId: started.deviceId,
      preAuthSessionId: started.preAuthSessionId,
    });
    expect(resent.json).to.deep.equal({ status: "OK" });
    const second = secretsOf(await app.nextMessage("again@example.com"));
    expect(second.preAuthSessionId).to.equal(started.preAuthSessionId);
    const gone = await app.post("/signinup/code/resend", {
      deviceId: "A".repeat(43),
      preAuthSessionId: started.preAuthSessionId,
    });
    expect(gone.json).to.deep.equal({ status: "RESTART_FLOW_ERROR" });
    const done = await app.post("/signinup/code/consume", {
      userInputCode: second.code,
      deviceId: started.deviceId,
      preAuthSessionId: started.preAuthSessionId,
    });
    expect(done.json.status).to.equal("OK");
    // Consumed: the device is gone, so a resend restarts the flow.
    const after = await app.post("/signinup/code/resend", {
      deviceId: started.deviceId,
      preAuthSessionId: started.preAuthSessionId,
    });
    expect(after.json).to.deep.equal({ status: "RESTART_FLOW_ERROR" });
  });

  it("the exists routes answer for emails and phones (both spellings of the phone route) and can be disabled", async () => {
    app = await startPasswordlessApp();
    const exists = async (path: string) => (await app!.client.request("GET", `/auth${path}`)).json;
    expect(await exists("/passwordless/email/exists?email=eve%40example.com")).to.deep.equal({
      status: "OK",
      exists: false,
    });
    await Passwordless.signInUp({ email: "eve@example.com" });
    await Passwordless.signInUp({ phoneNumber: "+33612345679" });
    expect(await exists("/passwordless/email/exists?email=Eve%40Example.com")).to.deep.equal({
      status: "OK",
      exists: true,
    });
    expect(await exists("/passwordless/phonenumber/exists?phoneNumber=%2B33%206%2012%2034%2056%2079")).to.deep.equal({
      status: "OK",
      exists: true,
    });
    expect(await exists("/passwordless/phoneNumber/exists?phoneNumber=%2B33612345670")).to.deep.equal({
      status: "OK",
      exists: false,
    });
    expect((await app.client.request("GET", "/auth/passwordless/email/exists")).status).to.equal(400);
    await app.close();
    app = await startPasswordlessApp({
      override: { apis: (o) => ({ ...o, emailExistsGET: undefined, phoneNumberExistsGET: undefined }) },
    });
    expect(
      (await app.client.request("GET", "/auth/passwordless/email/exists?email=eve%40example.com")).status,
    ).to.equal(404);
    expect(
      (await app.client.request("GET", "/auth/passwordless/phonenumber/exists?phoneNumber=%2B33612345679")).status,
    ).to.equal(404);
  });

  it("createCode answers the same for an address with and without an account (no enumeration), and mails both", async () => {
    app = await startPasswordlessApp();
    await Passwordless.signInUp({ email: "known@example.com" });
    const known = await app.post("/signinup/code", { email: "known@example.com" });
    const unknown = await app.post("/signinup/code", { email: "unknown@example.com" });
    expect(Object.keys(known.json).sort()).to.deep.equal(Object.keys(unknown.json).sort());
    expect(known.json.status).to.equal(unknown.json.status);
    expect(known.headers.get("set-cookie")).to.equal(unknown.headers.get("set-cookie"));
    await app.nextMessage("known@example.com");
    await app.nextMessage("unknown@example.com");
  });

  it("seed 004: Session's createNewSession override reaches passwordless users (payload in the front-token, data stored)", async () => {
    app = await startPasswordlessApp(
      {},
      {
        session: {
          override: {
            functions: (original) => ({
              ...original,
              createNewSession: async (input) => {
                input.jwtPayload = { ...input.jwtPayload, someKey: "someValue" };
                input.sessionData = { ...input.sessionData, someKey: "someValue" };
                return original.createNewSession(input);
              },
            }),
          },
        },
      },
    );
    const { started, code } = await start("seed@example.com", app);
    const res = await app.post("/signinup/code/consume", {
      userInputCode: code,
      deviceId: started.deviceId,
      preAuthSessionId: started.preAuthSessionId,
    });
    expect(res.json.status).to.equal("OK");
    expect(customClaims(decodeFrontToken(res.headers.get("front-token")).up)).to.deep.equal({ someKey: "someValue" });
    const me = await app.client.request("GET", "/protected");
    const seenData = await Session.getSessionData(me.json.handle as string);
    expect(seenData).to.deep.equal({ someKey: "someValue" });
  });

  it("header mode: the tokens come back in st-access-token / st-refresh-token", async () => {
    app = await startPasswordlessApp();
    app.client.defaultHeaders = { rid: "passwordless", "st-auth-mode": "header" };
    const { started, code } = await start("header@example.com", app);
    const res = await app.post("/signinup/code/consume", {
      userInputCode: code,
      deviceId: started.deviceId,
      preAuthSessionId: started.preAuthSessionId,
    });
    expect(res.json.status).to.equal("OK");
    const access = res.headers.get("st-access-token");
    expect(access).to.be.a("string");
    const me = await app.client.request("GET", "/protected", {
      headers: { authorization: `Bearer ${access}` },
      cookies: false,
    });
    expect(me.json.userId).to.equal((res.json.user as { id: string }).id);
  });

  it("createCode and resend are limited per email and per address (429 with Retry-After), in the database", async () => {
    app = await startPasswordlessApp({ rateLimit: { createCode: { perContact: 2, perIp: 100 } } });
    expect((await app.post("/signinup/code", { email: "rl@example.com" })).status).to.equal(200);
    const second = await app.post("/signinup/code", { email: "RL@example.com" });
    expect(second.status).to.equal(200);
    const resend = await app.post("/signinup/code/resend", {
      deviceId: second.json.deviceId,
      preAuthSessionId: second.json.preAuthSessionId,
    });
    expect(resend.status).to.equal(429);
    expect(Number(resend.headers.get("retry-after"))).to.be.greaterThan(0);
    expect((await app.post("/signinup/code", { email: "rl@example.com" })).status).to.equal(429);
    // Another address is not held back by this one's count.
    expect((await app.post("/signinup/code", { email: "other@example.com" })).status).to.equal(200);
    await app.close();
    app = await startPasswordlessApp({ rateLimit: { createCode: { perContact: false, perIp: 2 } } });
    expect((await app.post("/signinup/code", { email: "a1@example.com" })).status).to.equal(200);
    expect((await app.post("/signinup/code", { email: "a2@example.com" })).status).to.equal(200);
    expect((await app.post("/signinup/code", { email: "a3@example.com" })).status).to.equal(429);
  });

  it("malformed consume and resend bodies are 400 with a message, never a 500", async () => {
    app = await startPasswordlessApp();
    const bodies: unknown[] = [
      {},
      { preAuthSessionId: "x" },
      { preAuthSessionId: "x", userInputCode: "1" },
      { preAuthSessionId: "x", userInputCode: 1, deviceId: "d" },
      { preAuthSessionId: "x", linkCode: "l", deviceId: "d" },
      { preAuthSessionId: ["x"], linkCode: "l" },
      { preAuthSessionId: "x".repeat(2000), linkCode: "l" },
    ];
    for (const body of bodies) {
      const res = await app.post("/signinup/code/consume", body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).to.equal(400);
      expect(res.json.message).to.be.a("string");
    }
    expect((await app.post("/signinup/code/resend", { deviceId: "d" })).status).to.equal(400);
    // Well-formed but unknown: a flow answer, not an error.
    const unknown = await app.post("/signinup/code/consume", { preAuthSessionId: "x", linkCode: "l" });
    expect(unknown.json).to.deep.equal({ status: "RESTART_FLOW_ERROR" });
  });
});
