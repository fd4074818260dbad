import { expect } from "chai";
import Latchkey from "../../lib/index";
import EmailPassword from "../../recipes/emailpassword/index";
import { rawKnex } from "../helpers/db";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

describe("emailpassword: bad input gets a clear answer and writes nothing", () => {
  let app: SessionTestApp;
  before(async () => {
    app = await startSessionApp({}, { extraRecipes: [EmailPassword.init({ bcryptCost: 4 })] });
  });
  after(() => app.close());

  async function userCount(): Promise<number> {
    const knex = rawKnex(app.lk.url);
    try {
      const [row] = (await knex(`${app.lk.prefix}emailpassword_users`).count({ n: "*" })) as { n: number | string }[];
      return Number(row?.n ?? 0);
    } finally {
      await knex.destroy();
    }
  }

  const cases: [string, string, unknown, number, string | undefined][] = [
    // name, route, body, expected HTTP status, expected `status` field (undefined: a 400 with a message)
    ["no formFields", "/auth/signup", {}, 400, undefined],
    ["formFields not an array", "/auth/signup", { formFields: "x" }, 400, undefined],
    ["a field without an id", "/auth/signup", { formFields: [{ value: "x" }] }, 400, undefined],
    ["a field that is not an object", "/auth/signup", { formFields: [1, 2] }, 400, undefined],
    ["missing password", "/auth/signup", { formFields: [{ id: "email", value: "a@b.co" }] }, 200, "FIELD_ERROR"],
    [
      "email of the wrong type",
      "/auth/signup",
      {
        formFields: [
          { id: "email", value: { $gt: "" } },
          { id: "password", value: "password1" },
        ],
      },
      200,
      "FIELD_ERROR",
    ],
    [
      "password of the wrong type",
      "/auth/signup",
      {
        formFields: [
          { id: "email", value: "a@b.co" },
          { id: "password", value: 12345678 },
        ],
      },
      200,
      "FIELD_ERROR",
    ],
    [
      "an invalid email",
      "/auth/signup",
      {
        formFields: [
          { id: "email", value: "not-an-email" },
          { id: "password", value: "password1" },
        ],
      },
      200,
      "FIELD_ERROR",
    ],
    [
      "a weak password",
      "/auth/signup",
      {
        formFields: [
          { id: "email", value: "a@b.co" },
          { id: "password", value: "short" },
        ],
      },
      200,
      "FIELD_ERROR",
    ],
    [
      "a password without a digit",
      "/auth/signup",
      {
        formFields: [
          { id: "email", value: "a@b.co" },
          { id: "password", value: "passwordonly" },
        ],
      },
      200,
      "FIELD_ERROR",
    ],
    [
      "a password over 72 bytes",
      "/auth/signup",
      {
        formFields: [
          { id: "email", value: "a@b.co" },
          { id: "password", value: `é1${"é".repeat(40)}` },
        ],
      },
      200,
      "FIELD_ERROR",
    ],
    [
      "an extra field",
      "/auth/signup",
      {
        formFields: [
          { id: "email", value: "a@b.co" },
          { id: "password", value: "password1" },
          { id: "isAdmin", value: true },
        ],
      },
      200,
      "FIELD_ERROR",
    ],
    [
      "a duplicated field",
      "/auth/signup",
      {
        formFields: [
          { id: "email", value: "a@b.co" },
          { id: "email", value: "c@d.co" },
          { id: "password", value: "password1" },
        ],
      },
      200,
      "FIELD_ERROR",
    ],
    [
      "SQL metacharacters in the email",
      "/auth/signup",
      {
        formFields: [
          { id: "email", value: "a'; DROP TABLE x; --@b.co" },
          { id: "password", value: "password1" },
        ],
      },
      200,
      "FIELD_ERROR",
    ],
    [
      "a very long email",
      "/auth/signup",
      {
        formFields: [
          { id: "email", value: `${"a".repeat(300)}@b.co` },
          { id: "password", value: "password1" },
        ],
      },
      200,
      "FIELD_ERROR",
    ],
    [
      "prototype keys",
      "/auth/signup",
      JSON.parse(
        '{"formFields":[{"id":"__proto__","value":{"admin":true}},{"id":"email","value":"a@b.co"},{"id":"password","value":"password1"}]}',
      ),
      200,
      "FIELD_ERROR",
    ],
    [
      "sign-in without a password",
      "/auth/signin",
      { formFields: [{ id: "email", value: "a@b.co" }] },
      200,
      "FIELD_ERROR",
    ],
    [
      "sign-in with a bad email",
      "/auth/signin",
      {
        formFields: [
          { id: "email", value: "x" },
          { id: "password", value: "p" },
        ],
      },
      200,
      "FIELD_ERROR",
    ],
    ["reset request without an email", "/auth/user/password/reset/token", { formFields: [] }, 200, "FIELD_ERROR"],
    [
      "reset without a token",
      "/auth/user/password/reset",
      { formFields: [{ id: "password", value: "password1" }] },
      400,
      undefined,
    ],
    [
      "reset with a weak password",
      "/auth/user/password/reset",
      { token: "abc", formFields: [{ id: "password", value: "x" }] },
      200,
      "FIELD_ERROR",
    ],
    [
      "reset with a token that was never issued",
      "/auth/user/password/reset",
      { token: "abc", formFields: [{ id: "password", value: "password1" }] },
      200,
      "RESET_PASSWORD_INVALID_TOKEN_ERROR",
    ],
  ];
  for (const [name, route, body, httpStatus, status] of cases) {
    it(`${route}: ${name}`, async () => {
      const res = await app.client.request("POST", route, { body });
      expect(res.status, JSON.stringify(res.json)).to.equal(httpStatus);
      if (status === undefined) expect(res.json.message).to.be.a("string").and.not.equal("");
      else expect(res.json.status).to.equal(status);
      if (status === "FIELD_ERROR") {
        for (const f of res.json.formFields as { id: string; error: string }[])
          expect(f.error).to.be.a("string").and.not.equal("");
      }
      expect(await userCount()).to.equal(0);
      expect(res.setCookies).to.deep.equal([]);
    });
  }

  it("a 10 MB body is refused with a 4xx, not read whole", async () => {
    const res = await app.client.request("POST", "/auth/signup", {
      body: JSON.stringify({ formFields: [{ id: "email", value: "x".repeat(10 * 1024 * 1024) }] }),
    });
    expect(res.status).to.be.within(400, 499);
    expect(await userCount()).to.equal(0);
  });

  it("a body that is not JSON is a 400", async () => {
    const res = await app.client.request("POST", "/auth/signin", { body: "{formFields:" });
    expect(res.status).to.equal(400);
  });

  it("a duplicate email is a FIELD_ERROR over HTTP (as the SDKs expect) and EMAIL_ALREADY_EXISTS_ERROR from signUp", async () => {
    const body = {
      formFields: [
        { id: "email", value: "dup@b.co" },
        { id: "password", value: "password1" },
      ],
    };
    expect((await app.client.request("POST", "/auth/signup", { body })).json.status).to.equal("OK");
    const again = await app.client.request("POST", "/auth/signup", { body });
    expect(again.json).to.deep.equal({
      status: "FIELD_ERROR",
      formFields: [{ id: "email", error: "This email already exists. Please sign in instead." }],
    });
    expect(await EmailPassword.signUp("dup@B.CO ", "password1")).to.deep.equal({
      status: "EMAIL_ALREADY_EXISTS_ERROR",
    });
    expect(await userCount()).to.equal(1);
    const user = await EmailPassword.getUserByEmail("dup@b.co");
    await Session.revokeAllSessionsForUser(user?.id ?? "");
    await Latchkey.deleteUser(user?.id ?? "");
  });

  it("ten sign-ups racing for one email make exactly one user; the others get EMAIL_ALREADY_EXISTS_ERROR", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => EmailPassword.signUp("race@b.co", "password1")));
    expect(results.filter((r) => r.status === "OK")).to.have.length(1);
    expect(results.filter((r) => r.status === "EMAIL_ALREADY_EXISTS_ERROR")).to.have.length(9);
    expect(await userCount()).to.equal(1);
  });

  it("two sign-ups racing over HTTP: one OK, one FIELD_ERROR, one user, one session", async () => {
    const body = {
      formFields: [
        { id: "email", value: "race2@b.co" },
        { id: "password", value: "password1" },
      ],
    };
    const [a, b] = await Promise.all([
      app.client.request("POST", "/auth/signup", { body, cookies: false }),
      app.client.request("POST", "/auth/signup", { body, cookies: false }),
    ]);
    expect([a.json.status, b.json.status].sort()).to.deep.equal(["FIELD_ERROR", "OK"]);
    const user = await EmailPassword.getUserByEmail("race2@b.co");
    expect(await Session.getAllSessionHandlesForUser(user?.id ?? "")).to.have.length(1);
  });
});
