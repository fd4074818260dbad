// The defects the fuzz suite found, each pinned by a plain test so a change of generators cannot lose them.
import http from "node:http";
import { expect } from "chai";
import { Latchkey as Core } from "../../lib/latchkey";
import EmailPassword from "../../recipes/emailpassword/index";
import { rawKnex } from "../helpers/db";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

/** A raw request (fetch would refuse or rewrite some of these headers). */
function rawPost(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: url.pathname,
        headers: { ...headers, "content-length": body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const signInBody = Buffer.from(
  JSON.stringify({
    formFields: [
      { id: "email", value: "a@example.com" },
      { id: "password", value: "password123" },
    ],
  }),
);

describe("security: defects found by the fuzz suite", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(): Promise<SessionTestApp> {
    // startSessionApp puts express.json() before Latchkey's middleware, as most apps do.
    app = await startSessionApp({}, { extraRecipes: [EmailPassword.init({ bcryptCost: 4 })] });
    return app;
  }

  for (const [what, headers, status] of [
    ["a corrupt gzip body", { "content-type": "application/json", "content-encoding": "gzip" }, 400],
    ["an unknown content encoding", { "content-type": "application/json", "content-encoding": "x-unknown" }, 415],
    ["an unknown charset", { "content-type": "application/json; charset=latin9000" }, 415],
  ] as const) {
    it(`behind express.json(), ${what} is a ${status} with a message, not the app's 500`, async () => {
      const { server } = await start();
      const res = await rawPost(server.baseUrl, "/auth/signin", headers, signInBody);
      expect(res.status).to.equal(status);
      expect(res.json.message).to.be.a("string");
      expect(res.json).to.not.have.property("appHandler");
    });
  }

  it("an email with NUL is a user that does not exist (PostgreSQL cannot even compare it), never a 500", async () => {
    const { client } = await start();
    const res = await client.request("GET", "/auth/emailpassword/email/exists?email=a%00@example.com");
    expect(res.status).to.equal(200);
    expect(res.json).to.deep.equal({ status: "OK", exists: false });
    expect(await EmailPassword.getUserByEmail("a\u0000@example.com")).to.equal(undefined);
  });

  it("unpaired surrogates in a password or email are refused: they would reach bcrypt and the database as U+FFFD and collide", async () => {
    const { client, lk } = await start();
    const signUp = (email: string, password: string) =>
      client.request("POST", "/auth/signup", {
        body: {
          formFields: [
            { id: "email", value: email },
            { id: "password", value: password },
          ],
        },
      });
    const badPassword = await signUp("a@example.com", "\uD800password123");
    expect(badPassword.json.status).to.equal("FIELD_ERROR");
    expect(badPassword.json.formFields).to.deep.equal([
      { id: "password", error: "Password must be valid Unicode text" },
    ]);
    const badEmail = await signUp("\uD800a@example.com", "password123");
    expect(badEmail.json.status).to.equal("FIELD_ERROR");
    const knex = rawKnex(lk.url);
    try {
      const [row] = await knex(`${lk.prefix}emailpassword_users`).count({ n: "*" });
      expect(Number(row?.n)).to.equal(0);
    } finally {
      await knex.destroy();
    }
  });

  it("createNewSession refuses a userId with NUL or an unpaired surrogate (BAD_INPUT_ERROR, not a database error)", async () => {
    await start();
    await Core.getInstanceOrThrow().database.whenReady();
    for (const userId of ["u\u0000", "u\uDC00"]) {
      const err = await Session.createNewSessionWithoutRequestResponse(userId).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as { type?: string } | undefined)?.type, JSON.stringify(userId)).to.equal("BAD_INPUT_ERROR");
    }
  });
});
