import { expect } from "chai";
import sinon from "sinon";
import bcrypt from "bcrypt";
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import EmailPassword from "../../recipes/emailpassword/index";
import { rawKnex } from "../helpers/db";
import { decodeFrontToken } from "../helpers/http";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";
import type { SessionRequest } from "../../recipes/session/framework/express";

const form = (email: unknown, password: unknown, extra: { id: string; value: unknown }[] = []) => ({
  formFields: [{ id: "email", value: email }, { id: "password", value: password }, ...extra],
});

describe("emailpassword: sign-up and sign-in", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    sinon.restore();
    await app?.close();
    app = undefined;
  });

  it("the mission's scenario: sign up, sign in, role in the front-token, verifySession with no query, the secret only in the database", async () => {
    let sessionDataSeen: unknown;
    app = await startSessionApp(
      {
        override: {
          functions: (original) => ({
            ...original,
            createNewSession: async (input) => {
              input.jwtPayload = { ...input.jwtPayload, role: "admin" }; // visible to the frontend
              input.sessionData = { ...input.sessionData, secret: "x-very-secret-value" }; // stays in the database
              return original.createNewSession(input);
            },
          }),
        },
      },
      {
        extraRecipes: [EmailPassword.init()],
        addRoutes: (a) =>
          a.get("/secret", (req: SessionRequest, res, next) => {
            // verifySession is mounted below through the helper's /protected; here the data call is explicit.
            Session.getSession(req, res)
              .then(async (s) => {
                sessionDataSeen = await s.getSessionData();
                res.json({ ok: true });
              })
              .catch(next);
          }),
      },
    );
    const { client, lk } = app;
    client.defaultHeaders = { "st-auth-mode": "cookie", rid: "emailpassword" };
    const up = await client.request("POST", "/auth/signup", { body: form("Shopper@Example.COM ", "s3cretpassword") });
    expect(up.status).to.equal(200);
    expect(up.json.status).to.equal("OK");
    const user = up.json.user as { id: string; email: string };
    expect(user.email).to.equal("Shopper@example.com");
    expect(decodeFrontToken(up.headers.get("front-token")).up).to.deep.equal({ role: "admin" });
    client.jar.clear();
    const inResponse = await client.request("POST", "/auth/signin", {
      body: form("shopper@EXAMPLE.com", "s3cretpassword"),
    });
    expect(inResponse.json.status, JSON.stringify(inResponse.json)).to.equal("WRONG_CREDENTIALS_ERROR"); // the local part is case-sensitive
    const signIn = await client.request("POST", "/auth/signin", {
      body: form("Shopper@EXAMPLE.com", "s3cretpassword"),
    });
    expect(signIn.json.status).to.equal("OK");
    expect(client.cookie("sAccessToken")).to.be.a("string");
    expect(client.cookie("sRefreshToken")).to.be.a("string");
    const front = decodeFrontToken(signIn.headers.get("front-token"));
    expect(front.uid).to.equal(user.id);
    expect(front.up.role).to.equal("admin");
    // verifySession: user id and role with no database query.
    const knex = Core.getInstanceOrThrow().database.knex;
    let queries = 0;
    const count = (): void => void queries++;
    knex.on("query", count);
    const protectedRes = await client.request("GET", "/protected");
    knex.off("query", count);
    expect(protectedRes.json).to.deep.include({ userId: user.id, payload: { role: "admin" } });
    expect(queries).to.equal(0);
    await client.request("GET", "/secret");
    expect(sessionDataSeen).to.deep.equal({ secret: "x-very-secret-value" });
    for (const reply of [up, signIn, protectedRes]) {
      const all =
        JSON.stringify(reply.json) +
        [...reply.headers.values()].join("\n") +
        [...reply.headers.values()].map((v) => Buffer.from(v, "base64").toString()).join("\n");
      expect(all).to.not.contain("x-very-secret-value");
      expect(all).to.not.contain("s3cretpassword");
    }
    const raw = rawKnex(lk.url);
    try {
      const row = (await raw(`${lk.prefix}emailpassword_users`).where({ user_id: user.id }).first()) as {
        password_hash: string;
      };
      expect(row.password_hash).to.match(/^\$2[aby]\$10\$/);
    } finally {
      await raw.destroy();
    }
  });

  it("every sign-in creates its session through the Session recipe's createNewSession, with the API's userContext", async () => {
    const seen: unknown[] = [];
    app = await startSessionApp(
      {
        override: {
          functions: (o) => ({
            ...o,
            createNewSession: async (input) => (seen.push(input.userContext), o.createNewSession(input)),
          }),
        },
      },
      {
        extraRecipes: [
          EmailPassword.init({
            bcryptCost: 4,
            override: {
              apis: (o) => ({
                ...o,
                signInPOST: async (input) => ((input.userContext.marker = "from-api"), o.signInPOST!(input)),
              }),
            },
          }),
        ],
      },
    );
    await app.client.request("POST", "/auth/signup", { body: form("a@b.co", "password1") });
    await app.client.request("POST", "/auth/signin", { body: form("a@b.co", "password1") });
    expect(seen).to.have.length(2);
    expect((seen[1] as { marker?: string }).marker).to.equal("from-api");
  });

  it("an unknown email costs the same bcrypt compare as a wrong password", async () => {
    app = await startSessionApp({}, { extraRecipes: [EmailPassword.init({ bcryptCost: 4 })] });
    await EmailPassword.signUp("known@b.co", "password1");
    const compare = sinon.spy(bcrypt, "compare");
    expect((await EmailPassword.signIn("unknown@b.co", "password1")).status).to.equal("WRONG_CREDENTIALS_ERROR");
    expect((await EmailPassword.signIn("known@b.co", "wrong-password1")).status).to.equal("WRONG_CREDENTIALS_ERROR");
    expect(compare.callCount).to.equal(2);
    const [unknownHash, knownHash] = compare.getCalls().map((c) => String(c.args[1]));
    expect(unknownHash?.slice(0, 7)).to.equal(knownHash?.slice(0, 7)); // same algorithm and cost
  });

  it("an override of getUserByEmail changes what signIn sees", async () => {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({
            bcryptCost: 4,
            override: { functions: (o) => ({ ...o, getUserByEmail: async () => undefined }) },
          }),
        ],
      },
    );
    await EmailPassword.signUp("a@b.co", "password1");
    expect((await EmailPassword.signIn("a@b.co", "password1")).status).to.equal("WRONG_CREDENTIALS_ERROR");
  });

  it("email exists, getUser and deleteUser (which revokes the user's sessions) work for these users", async () => {
    app = await startSessionApp({}, { extraRecipes: [EmailPassword.init({ bcryptCost: 4 })] });
    const { client } = app;
    const up = await client.request("POST", "/auth/signup", {
      body: form("a@b.co", "password1"),
      headers: { "st-auth-mode": "header" },
    });
    const userId = (up.json.user as { id: string }).id;
    expect((await client.request("GET", "/auth/emailpassword/email/exists?email=a%40B.co")).json).to.deep.equal({
      status: "OK",
      exists: true,
    });
    expect((await client.request("GET", "/auth/emailpassword/email/exists?email=zz%40b.co")).json).to.deep.equal({
      status: "OK",
      exists: false,
    });
    expect((await client.request("GET", "/auth/emailpassword/email/exists")).status).to.equal(400);
    const user = await Latchkey.getUser(userId);
    expect(user).to.deep.include({ id: userId, emails: ["a@b.co"] });
    expect(user?.loginMethods.map((m) => [m.recipeId, m.email])).to.deep.equal([["emailpassword", "a@b.co"]]);
    expect(await Session.getAllSessionHandlesForUser(userId)).to.have.length(1);
    expect(await Latchkey.deleteUser(userId)).to.deep.equal({ status: "OK" });
    expect(await Latchkey.getUser(userId)).to.equal(undefined);
    expect(await Session.getAllSessionHandlesForUser(userId)).to.deep.equal([]);
    expect((await client.request("POST", "/auth/signin", { body: form("a@b.co", "password1") })).json.status).to.equal(
      "WRONG_CREDENTIALS_ERROR",
    );
  });

  it("updateEmailOrPassword changes the email or password, refusing a taken email and an unknown user", async () => {
    app = await startSessionApp({}, { extraRecipes: [EmailPassword.init({ bcryptCost: 4 })] });
    const a = await EmailPassword.signUp("a@b.co", "password1");
    const b = await EmailPassword.signUp("b@b.co", "password1");
    if (a.status !== "OK" || b.status !== "OK") throw new Error("sign-up failed");
    expect(await EmailPassword.updateEmailOrPassword({ userId: a.user.id, email: "b@B.CO" })).to.deep.equal({
      status: "EMAIL_ALREADY_EXISTS_ERROR",
    });
    expect(await EmailPassword.updateEmailOrPassword({ userId: "no-such-user", password: "password2" })).to.deep.equal({
      status: "UNKNOWN_USER_ID_ERROR",
    });
    expect(
      await EmailPassword.updateEmailOrPassword({ userId: a.user.id, email: "new@B.co", password: "password2" }),
    ).to.deep.equal({ status: "OK" });
    expect((await EmailPassword.signIn("new@b.co", "password2")).status).to.equal("OK");
    expect((await EmailPassword.signIn("a@b.co", "password1")).status).to.equal("WRONG_CREDENTIALS_ERROR");
    expect((await EmailPassword.signIn("b@b.co", "password1")).status).to.equal("OK");
  });

  it("configured sign-up fields: validate, optional, and unknown ones refused", async () => {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          EmailPassword.init({
            bcryptCost: 4,
            signUpFeature: {
              formFields: [
                {
                  id: "name",
                  validate: (v) => (typeof v === "string" && v.length > 1 ? undefined : "Name is too short"),
                },
                { id: "country", optional: true },
                { id: "password", validate: (v) => (typeof v === "string" && v.length >= 4 ? undefined : "too short") },
              ],
            },
          }),
        ],
      },
    );
    const { client } = app;
    const bad = await client.request("POST", "/auth/signup", {
      body: form("a@b.co", "abcd", [{ id: "name", value: "x" }]),
    });
    expect(bad.json).to.deep.equal({ status: "FIELD_ERROR", formFields: [{ id: "name", error: "Name is too short" }] });
    const extra = await client.request("POST", "/auth/signup", {
      body: form("a@b.co", "abcd", [
        { id: "name", value: "Al" },
        { id: "admin", value: true },
      ]),
    });
    expect(extra.json).to.deep.equal({
      status: "FIELD_ERROR",
      formFields: [{ id: "admin", error: "Field is not part of this form" }],
    });
    // The configured password validator replaced the default (4 characters, no digit, allowed here).
    const ok = await client.request("POST", "/auth/signup", {
      body: form("a@b.co", "abcd", [{ id: "name", value: "Al" }]),
    });
    expect(ok.json.status).to.equal("OK");
  });
});
