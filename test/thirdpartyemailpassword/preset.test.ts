import { expect } from "chai";
import ThirdPartyEmailPassword from "../../recipes/thirdpartyemailpassword/index";
import { testDbKind } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const form = (email: string, password: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});

describe(`thirdpartyemailpassword: one override over both inner recipes (${testDbKind()})`, () => {
  let app: SessionTestApp;
  const hidden = new Set<string>();
  before(async () => {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          ThirdPartyEmailPassword.init({
            bcryptCost: 4,
            override: {
              // A sibling call: emailpassword's signIn looks the user up through this recipe's getUsersByEmail.
              functions: (original) => ({
                ...original,
                getUsersByEmail: async (input) => (hidden.has(input.email) ? [] : original.getUsersByEmail(input)),
              }),
              apis: (original) => ({ ...original, passwordResetPOST: undefined }),
            },
          }),
        ],
      },
    );
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
  });
  after(() => app.close());

  it("reaches the emailpassword recipe's own sibling calls: a user its getUsersByEmail hides cannot sign in", async () => {
    expect(
      (await app.client.request("POST", "/auth/signup", { body: form("ida@example.com", "password1") })).json.status,
    ).to.equal("OK");
    expect(
      (await app.client.request("POST", "/auth/signin", { body: form("ida@example.com", "password1") })).json.status,
    ).to.equal("OK");
    hidden.add("ida@example.com");
    expect(
      (await app.client.request("POST", "/auth/signin", { body: form("ida@example.com", "password1") })).json.status,
    ).to.equal("WRONG_CREDENTIALS_ERROR");
    expect((await ThirdPartyEmailPassword.emailPasswordSignIn("ida@example.com", "password1")).status).to.equal(
      "WRONG_CREDENTIALS_ERROR",
    );
  });

  it("disables an inner recipe's route when its API is set to undefined, and serves the third-party routes only as /loginmethods without providers", async () => {
    expect(
      (
        await app.client.request("POST", "/auth/user/password/reset", {
          body: { token: "x", formFields: [{ id: "password", value: "password2" }] },
        })
      ).status,
    ).to.equal(404);
    const methods = await app.client.request("GET", "/auth/loginmethods");
    expect(methods.json).to.deep.include({
      emailPassword: { enabled: true },
      thirdParty: { enabled: false, providers: [] },
      firstFactors: ["emailpassword"],
    });
    expect(
      (await app.client.request("POST", "/auth/signinup", { body: { thirdPartyId: "google", oAuthTokens: {} } }))
        .status,
    ).to.equal(404);
  });
});
