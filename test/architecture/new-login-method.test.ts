// A login method that exists only in test/fixtures/pinlogin plugs in through the capability keys alone: users,
// Latchkey.getUser, Latchkey.deleteUser, a claim on every session and the Session override, with no other file edited.
import { expect } from "chai";
import Latchkey from "../../lib/index";
import EmailVerification from "../../recipes/emailverification/index";
import Session from "../../recipes/session/index";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/express";
import PinLogin from "../fixtures/pinlogin/index";
import { APP_INFO } from "../helpers/app";
import { type SessionTestApp, startSessionApp } from "../helpers/sessionApp";
import { resetForTests } from "../../lib/testing";
import { testDatabaseUrl, uniquePrefix } from "../helpers/db";

describe("architecture: a new login method from one folder", () => {
  let app: SessionTestApp;
  const roles: string[] = [];

  beforeEach(async () => {
    roles.length = 0;
    app = await startSessionApp(
      {
        override: {
          functions: (original) => ({
            ...original,
            createNewSession: async (input) => {
              roles.push(input.userId);
              input.jwtPayload = { ...input.jwtPayload, role: "admin" };
              return original.createNewSession(input);
            },
          }),
        },
      },
      {
        extraRecipes: [EmailVerification.init({ mode: "REQUIRED" }), PinLogin.init()],
        addRoutes: (express) => {
          express.get(
            "/whoami",
            verifySession({
              overrideGlobalClaimValidators: (global) => [
                ...global,
                PinLogin.usernameClaim().validators.hasValue("alice"),
              ],
            }),
            (req: SessionRequest, res) => {
              res.json({ userId: req.session?.getUserId() });
            },
          );
        },
      },
    );
  });

  afterEach(() => app.close());

  const signInUp = (username: string, pin: string) =>
    app.client.request("POST", "/auth/pin/signinup", {
      body: { username, pin },
      headers: { "st-auth-mode": "header" },
    });

  it("signs up and in through its own route, with a session from the Session recipe's (overridden) createNewSession", async () => {
    const up = await signInUp("alice", "1234");
    expect(up.json).to.deep.include({ status: "OK", createdNewUser: true });
    const id = (up.json.user as { id: string }).id;
    expect(roles).to.deep.equal([id]);
    const again = await signInUp("alice", "1234");
    expect(again.json).to.deep.include({ status: "OK", createdNewUser: false });
    expect((await signInUp("alice", "9999")).json).to.deep.equal({ status: "WRONG_PIN_ERROR" });
    const token = again.headers.get("st-access-token") ?? "";
    const me = await app.client.request("GET", "/protected", { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).to.equal(200);
    const payload = me.json.payload as Record<string, { v?: unknown } | string>;
    // Its claim is in every session, beside the override's key and EmailVerification's claim (no email: verified).
    expect(payload["pin-user"]).to.deep.include({ v: "alice" });
    expect(payload.role).to.equal("admin");
    expect(payload["st-ev"]).to.deep.include({ v: true });
  });

  it("its claim's validator gates a route: 200 for alice, 403 for bob", async () => {
    const alice = (await signInUp("alice", "1234")).headers.get("st-access-token") ?? "";
    const bob = (await signInUp("bob", "1234")).headers.get("st-access-token") ?? "";
    expect(
      (await app.client.request("GET", "/whoami", { headers: { authorization: `Bearer ${alice}` } })).status,
    ).to.equal(200);
    const refused = await app.client.request("GET", "/whoami", { headers: { authorization: `Bearer ${bob}` } });
    expect(refused.status).to.equal(403);
    expect(JSON.stringify(refused.json)).to.contain("pin-user");
  });

  it("Latchkey.getUser reports its users in the loginMethods shape; deleteUser removes its rows and the sessions", async () => {
    const up = await signInUp("carol", "1234");
    const id = (up.json.user as { id: string }).id;
    const user = await Latchkey.getUser(id);
    expect(user).to.deep.include({
      id,
      isPrimaryUser: false,
      tenantIds: ["public"],
      emails: [],
      phoneNumbers: [],
      thirdParty: [],
    });
    expect(user?.loginMethods).to.have.length(1);
    expect(user?.loginMethods[0]).to.deep.include({
      recipeId: "pinlogin",
      recipeUserId: id,
      tenantIds: ["public"],
      verified: false,
    });
    expect(await Session.getAllSessionHandlesForUser(id)).to.have.length(1);
    expect(await Latchkey.deleteUser(id)).to.deep.equal({ status: "OK" });
    expect(await Latchkey.getUser(id)).to.equal(undefined);
    expect(await PinLogin.getUserById(id)).to.equal(undefined);
    expect(await Session.getAllSessionHandlesForUser(id)).to.deep.equal([]);
    expect((await signInUp("carol", "1234")).json).to.deep.include({ createdNewUser: true });
  });

  it("its typed error becomes its own 400 answer, and nothing is written", async () => {
    const short = await signInUp("dave", "12");
    expect(short.status).to.equal(400);
    expect(short.json).to.deep.include({ status: "PIN_TOO_SHORT" });
    try {
      await PinLogin.signUp("dave", "12");
      expect.fail("signUp should have thrown");
    } catch (err) {
      expect(PinLogin.Error.isErrorFromAuth(err)).to.equal(true);
      const typed = err as InstanceType<typeof PinLogin.Error>;
      // The discriminated type: payload is typed without a cast.
      if (typed.type === "PIN_TOO_SHORT") expect(typed.payload.minimumPinLength).to.equal(4);
      expect(typed.type).to.equal("PIN_TOO_SHORT");
    }
    expect((await signInUp("dave", "1234")).json).to.deep.include({ createdNewUser: true });
  });
});

describe("architecture: requirements are capabilities, not recipe ids", () => {
  afterEach(() => resetForTests());

  it("a login method without the Session recipe fails init naming what to add", () => {
    expect(() =>
      Latchkey.init({
        appInfo: APP_INFO,
        database: testDatabaseUrl(),
        tablePrefix: uniquePrefix(),
        recipeList: [PinLogin.init()],
      }),
    ).to.throw(/the pinlogin recipe needs the session recipe: add Session.init\(\) to recipeList/);
  });
});
