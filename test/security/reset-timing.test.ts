import { expect } from "chai";
import EmailPassword from "../../recipes/emailpassword/index";
import { testDbKind } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import { countCases } from "./counts";

const resetRequest = (email: string) => ({ formFields: [{ id: "email", value: email }] });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`security: a reset-token request does not tell by its timing whether the account exists (${testDbKind()})`, () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("the answer waits for none of the work: with the lookup and the token held back, known and unknown emails answer alike, and the known one still gets its email", async function () {
    this.timeout(30_000);
    countCases("timing");
    const sent: string[] = [];
    const calls: string[] = [];
    // The lookup and the token creation wait until the test opens this gate, after both answers have arrived: if
    // either answer waited for that work it could never arrive (no clock decides it, so load cannot flake it).
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({
            bcryptCost: 4,
            rateLimit: false,
            override: {
              // Only a known email reaches createResetPasswordToken: if the answer waited for it, it would hang.
              functions: (o) => ({
                ...o,
                getUserByEmail: async (input) => (calls.push("lookup"), await gate, o.getUserByEmail(input)),
                createResetPasswordToken: async (input) => (
                  calls.push("token"),
                  await gate,
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
    const answer = async (email: string) => {
      const reply = app!.client.request("POST", "/auth/user/password/reset/token", { body: resetRequest(email) });
      const hung = pause(10_000).then(() => ({ json: "the answer waited for the held-back work" as unknown }));
      return (await Promise.race([reply, hung])).json;
    };
    const known = await answer("known@b.co");
    const unknown = await answer("nobody@b.co");
    expect(known).to.deep.equal({ status: "OK" });
    expect(unknown).to.deep.equal(known);
    expect(sent, "nothing was sent before the gate opened").to.deep.equal([]);
    open();
    for (let i = 0; i < 100 && sent.length === 0; i++) await pause(50);
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
