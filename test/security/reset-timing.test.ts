import { expect } from "chai";
import EmailPassword from "../../recipes/emailpassword/index";
import { testDbKind } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import { countCases } from "./counts";

const SLOW_MS = 600;
const resetRequest = (email: string) => ({ formFields: [{ id: "email", value: email }] });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`security: a reset-token request does not tell by its timing whether the account exists (${testDbKind()})`, () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("the answer waits for none of the work: with the lookup and the token slowed down, known and unknown emails answer alike and at once, and the known one still gets its email", async function () {
    this.timeout(30_000);
    countCases("timing");
    const sent: string[] = [];
    const calls: string[] = [];
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({
            bcryptCost: 4,
            rateLimit: false,
            override: {
              // Only a known email reaches createResetPasswordToken: if the answer waited for it, it would be slower.
              functions: (o) => ({
                ...o,
                getUserByEmail: async (input) => (calls.push("lookup"), await pause(SLOW_MS), o.getUserByEmail(input)),
                createResetPasswordToken: async (input) => (
                  calls.push("token"),
                  await pause(SLOW_MS),
                  o.createResetPasswordToken(input)
                ),
              }),
            },
            emailDelivery: {
              override: (original) => ({ ...original, sendEmail: async ({ user }) => void sent.push(user.email) }),
            },
          }),
        ],
      },
    );
    await EmailPassword.signUp("known@b.co", "password1");
    calls.length = 0;
    const timed = async (email: string) => {
      const started = process.hrtime.bigint();
      const reply = await app!.client.request("POST", "/auth/user/password/reset/token", { body: resetRequest(email) });
      return { json: reply.json, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    };
    const known = await timed("known@b.co");
    const unknown = await timed("nobody@b.co");
    expect(known.json).to.deep.equal({ status: "OK" });
    expect(unknown.json).to.deep.equal(known.json);
    expect(known.ms, "the known email's answer did not wait for the lookup or the token").to.be.below(SLOW_MS / 2);
    expect(unknown.ms, "the unknown email's answer did not wait for the lookup").to.be.below(SLOW_MS / 2);
    await pause(3 * SLOW_MS);
    expect(sent).to.deep.equal(["known@b.co"]);
    expect(calls.sort()).to.deep.equal(["lookup", "lookup", "token"]);
  });

  it("a failure after the answer (the store throws for a known email) is logged, and the answer is still the same 200 OK", async function () {
    this.timeout(30_000);
    countCases("timing");
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({
            bcryptCost: 4,
            rateLimit: false,
            override: {
              functions: (o) => ({
                ...o,
                createResetPasswordToken: () => Promise.reject(new Error("database is down")),
              }),
            },
          }),
        ],
      },
    );
    await EmailPassword.signUp("known@b.co", "password1");
    const errors: string[] = [];
    const saved = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.map(String).join(" "));
    try {
      const reply = await app.client.request("POST", "/auth/user/password/reset/token", {
        body: resetRequest("known@b.co"),
      });
      expect(reply.status).to.equal(200);
      expect(reply.json).to.deep.equal({ status: "OK" });
      await pause(300);
    } finally {
      console.error = saved;
    }
    expect(errors.join("\n")).to.contain("database is down");
  });
});
