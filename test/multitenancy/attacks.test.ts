import { expect } from "chai";
import EmailPassword from "../../recipes/emailpassword/index";
import Multitenancy from "../../recipes/multitenancy/index";
import { testDbKind } from "../helpers/db";
import { HttpClient } from "../helpers/http";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

const form = (email: string, password: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});

describe(`multitenancy: attacks across tenants (${testDbKind()})`, () => {
  let app: SessionTestApp;
  let signUps: string[];

  beforeEach(async () => {
    signUps = [];
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({
            override: {
              functions: (o) => ({
                ...o,
                signUp: (input) => {
                  signUps.push(`${input.tenantId}:${input.email}`);
                  return o.signUp(input);
                },
              }),
            },
          }),
          Multitenancy.init(),
        ],
      },
    );
    // "sso" allows only third party sign-in (as an app enforcing SSO would configure it).
    await Multitenancy.createOrUpdateTenant("sso", { firstFactors: ["thirdparty"] });
  });
  afterEach(() => app.close());

  const cookieClient = (): HttpClient => {
    const c = new HttpClient(app.server.baseUrl);
    c.defaultHeaders = { "st-auth-mode": "cookie" };
    return c;
  };

  it("a session of another tenant does not unlock a login method the tenant disabled", async () => {
    const attacker = cookieClient();
    // Anyone can sign up in public, where email/password is on: that gives the attacker a session.
    const own = await attacker.request("POST", "/auth/signup", { body: form("eve@example.com", "eve-password1") });
    expect(own.json.status).to.equal("OK");
    // With that session, the email/password sign-up that "sso" disabled must still be refused and never run.
    const refused = await attacker.request("POST", "/auth/sso/signup", {
      body: form("eve@example.com", "eve-password1"),
    });
    expect(refused.status).to.equal(401);
    const signIn = await attacker.request("POST", "/auth/sso/signin", {
      body: form("eve@example.com", "eve-password1"),
    });
    expect(signIn.status).to.equal(401);
    expect(signUps).to.deep.equal(["public:eve@example.com"]);
  });
});
