// Issue 23, finding 4: with cookies forced, a cross-site form must not sign the victim's browser into the attacker's
// account. A form (or a no-cors fetch) can send a JSON-looking body but cannot declare it application/json.
import http from "node:http";
import { expect } from "chai";
import EmailPassword from "../../recipes/emailpassword/index";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

/** A raw POST, so the Content-Type can be absent or anything a browser form sends. */
function rawPost(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; setCookies: string[]; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const bytes = Buffer.from(body);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: url.pathname,
        headers: { ...headers, "content-length": bytes.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            setCookies: res.headers["set-cookie"] ?? [],
            json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(bytes);
  });
}

describe("security: login CSRF (auth routes take only application/json bodies)", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const credentials = { email: "attacker@example.com", password: "attacker-pass-1" };
  const formFields = [
    { id: "email", value: credentials.email },
    { id: "password", value: credentials.password },
  ];
  // What `<form enctype="text/plain">` with one input named `{"formFields":...,"x":"` and value `"}` submits.
  const formBody = `${JSON.stringify({ formFields, x: "" }).slice(0, -2)}="}`;

  async function start(): Promise<SessionTestApp> {
    app = await startSessionApp(
      { getTokenTransferMethod: () => "cookie" },
      { extraRecipes: [EmailPassword.init({ bcryptCost: 4 })] },
    );
    const up = await app.client.request("POST", "/auth/signup", { body: { formFields } });
    expect(up.json.status).to.equal("OK");
    return app;
  }

  it("a cross-site text/plain form, a urlencoded form or an untyped body cannot sign in: 400, no session cookie", async () => {
    const { server } = await start();
    expect(JSON.parse(formBody)).to.have.property("formFields"); // the forged body is JSON
    const forged: [string, Record<string, string>, string][] = [
      ["text/plain form", { "content-type": "text/plain" }, formBody],
      ["text/plain from fetch", { "content-type": "text/plain;charset=UTF-8" }, JSON.stringify({ formFields })],
      ["no content type (a Blob body)", {}, JSON.stringify({ formFields })],
      ["urlencoded form", { "content-type": "application/x-www-form-urlencoded" }, JSON.stringify({ formFields })],
      ["multipart", { "content-type": "multipart/form-data; boundary=x" }, JSON.stringify({ formFields })],
      ["a JSON-ish type", { "content-type": "application/jsonx" }, JSON.stringify({ formFields })],
    ];
    for (const [what, headers, body] of forged) {
      const res = await rawPost(server.baseUrl, "/auth/signin", { ...headers, origin: "https://evil.example" }, body);
      expect(res.status, what).to.equal(400);
      expect(res.json.message, what).to.match(/application\/json/);
      expect(
        res.setCookies.filter((c) => c.startsWith("sAccessToken=")),
        what,
      ).to.deep.equal([]);
    }
  });

  it("application/json, with a charset or in capitals, still signs in (what supertokens-web-js sends)", async () => {
    const { server } = await start();
    for (const type of ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON;charset=UTF-8"]) {
      const res = await rawPost(
        server.baseUrl,
        "/auth/signin",
        { "content-type": type },
        JSON.stringify({ formFields }),
      );
      expect(res.status, type).to.equal(200);
      expect(res.json.status, type).to.equal("OK");
      expect(
        res.setCookies.some((c) => c.startsWith("sAccessToken=")),
        type,
      ).to.equal(true);
    }
  });

  it("an empty body needs no content type (nothing to forge): sign-out and refresh keep working without one", async () => {
    const { server, client } = await start();
    const res = await rawPost(server.baseUrl, "/auth/signin", {}, "");
    // Read as {}: the form fields are missing, which is the recipe's own 400, not a content-type refusal.
    expect(res.status).to.equal(400);
    expect(res.json.message).to.not.match(/application\/json/);
    const signout = await client.request("POST", "/auth/signout", { headers: { rid: "session" } });
    expect(signout.status).to.be.below(500);
  });
});
