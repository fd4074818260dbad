// The adapter matrix's compact core, on every database: the same HTTP behaviour (sign-up to sign-out, refresh,
// theft, anti-CSRF, session errors from the app's routes, hostile requests) from every framework adapter.
// The full behaviour suites run per framework with LATCHKEY_TEST_FRAMEWORK (see .ci/run).
import http from "node:http";
import { expect } from "chai";
import EmailPassword from "../../recipes/emailpassword/index";
import { Latchkey as Core } from "../../lib/latchkey";
import { Session, SESSION_ROUTES } from "../helpers/sessionApp";
import { initLatchkey, type TestLatchkey } from "../helpers/app";
import { FRAMEWORKS, startFrameworkApp, type FrameworkServer } from "../helpers/frameworks";
import { HttpClient, decodeFrontToken } from "../helpers/http";

const form = (email: string, password: string) => ({
  formFields: [
    { id: "email", value: email },
    { id: "password", value: password },
  ],
});

/** Sends a request line exactly as given (fetch would resolve dot segments first). */
function rawRequest(baseUrl: string, method: string, target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path: target }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

for (const framework of FRAMEWORKS) {
  describe(`framework adapter: ${framework}`, () => {
    let lk: TestLatchkey | undefined;
    let server: FrameworkServer | undefined;
    let client: HttpClient;

    async function start(sessionConfig: Parameters<typeof Session.init>[0] = {}): Promise<void> {
      lk = initLatchkey([Session.init(sessionConfig), EmailPassword.init({ bcryptCost: 4 })]);
      server = await startFrameworkApp(framework, SESSION_ROUTES);
      await Core.getInstanceOrThrow().database.whenReady();
      client = new HttpClient(server.baseUrl);
      client.defaultHeaders = { "st-auth-mode": "cookie", rid: "emailpassword" };
    }

    afterEach(async () => {
      await server?.close();
      server = undefined;
      await lk?.cleanup();
      lk = undefined;
    });

    it("signs up, signs in, verifies, refreshes and signs out with the SDK's wire format", async () => {
      await start();
      const up = await client.request("POST", "/auth/signup", { body: form("a@example.com", "s3cretpassword") });
      expect(up.status).to.equal(200);
      expect(up.json.status).to.equal("OK");
      const userId = (up.json.user as { id: string }).id;
      expect(decodeFrontToken(up.headers.get("front-token")).uid).to.equal(userId);
      const wrong = await client.request("POST", "/auth/signin", { body: form("a@example.com", "wrongpassword1") });
      expect(wrong.json.status).to.equal("WRONG_CREDENTIALS_ERROR");
      const signin = await client.request("POST", "/auth/signin", { body: form("a@example.com", "s3cretpassword") });
      expect(signin.json.status).to.equal("OK");
      expect((await client.request("GET", "/protected")).json.userId).to.equal(userId);
      expect((await client.request("POST", "/protected")).json.userId).to.equal(userId);
      const before = client.cookie("sAccessToken");
      const refreshed = await client.request("POST", "/auth/session/refresh");
      expect(refreshed.status).to.equal(200);
      expect(client.cookie("sAccessToken")).to.be.a("string").and.not.equal(before);
      expect((await client.request("GET", "/protected")).json.userId).to.equal(userId);
      const out = await client.request("POST", "/auth/signout");
      expect(out.json.status).to.equal("OK");
      expect(client.cookie("sAccessToken")).to.equal(undefined);
      const after = await client.request("GET", "/protected");
      expect(after.status).to.equal(401);
      expect((await client.request("GET", "/optional")).json.userId).to.equal(null);
    });

    it("answers session errors from the app's routes: no session, a bad token (try refresh), theft", async () => {
      await start();
      const none = await client.request("GET", "/protected");
      expect([none.status, none.json.message]).to.deep.equal([401, "unauthorised"]);
      await client.request("POST", "/login", { body: { userId: "u1" } });
      const tampered = await client.request("GET", "/protected", {
        cookies: false,
        headers: { cookie: `sAccessToken=${client.cookie("sAccessToken") ?? ""}x` },
      });
      expect([tampered.status, tampered.json.message]).to.deep.equal([401, "try refresh token"]);
      const oldRefresh = client.cookie("sRefreshToken") ?? "";
      expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(200);
      expect((await client.request("GET", "/protected")).json.userId).to.equal("u1");
      const theft = await client.request("POST", "/auth/session/refresh", {
        cookies: false,
        headers: { cookie: `sRefreshToken=${oldRefresh}` },
      });
      expect([theft.status, theft.json.message]).to.deep.equal([401, "token theft detected"]);
      expect((await client.request("GET", "/protected")).status).to.equal(401);
    });

    it("checks anti-CSRF (VIA_CUSTOM_HEADER) on cookie sessions", async () => {
      await start({ antiCsrf: "VIA_CUSTOM_HEADER" });
      await client.request("POST", "/login", { body: { userId: "u1" } });
      expect((await client.request("POST", "/protected")).json.userId).to.equal("u1");
      // A cross-site form cannot add the rid header.
      client.defaultHeaders = { "st-auth-mode": "cookie" };
      const forged = await client.request("POST", "/protected");
      expect(forged.status).to.equal(401);
    });

    it("reads query strings as express does: the first of a repeated parameter, escapes decoded", async () => {
      await start();
      await client.request("POST", "/auth/signup", { body: form("q@example.com", "s3cretpassword") });
      const path = "/auth/emailpassword/email/exists";
      expect((await client.request("GET", `${path}?email=q%40example.com`)).json.exists).to.equal(true);
      expect((await client.request("GET", `${path}?email=q%40example.com&email=x%40y.z`)).json.exists).to.equal(true);
      expect((await client.request("GET", `${path}?email=nobody%40example.com`)).json.exists).to.equal(false);
    });

    it("refuses hostile bodies with a 400 and a message, never a 500", async () => {
      await start();
      const cases: [string, Record<string, string>][] = [
        ["{not json", { "content-type": "application/json" }],
        ['{"formFields": []}', { "content-type": "text/plain" }],
        ["[1, 2]", { "content-type": "application/json" }],
        [JSON.stringify({ pad: "x".repeat(200 * 1024) }), { "content-type": "application/json" }],
      ];
      for (const [body, headers] of cases) {
        const res = await client.request("POST", "/auth/signin", { body, headers });
        expect(res.status, `${body.slice(0, 20)} ${JSON.stringify(headers)}`).to.equal(400);
        expect(res.json.message)
          .to.be.a("string")
          .and.match(/^The request body/);
      }
    });

    it("leaves HEAD, OPTIONS, encoded and dot-segment paths of auth routes to the app (not served, not a 500)", async () => {
      await start();
      const targets: [string, string][] = [
        ["HEAD", "/auth/jwt/jwks.json"],
        ["OPTIONS", "/auth/signin"],
        ["POST", "/auth/sig%6Ein"],
      ];
      // Next.js resolves dot segments before any route handler runs (a Request's URL never has them); every other
      // adapter matches the target as the client sent it, as express does.
      if (framework !== "nextjs") targets.push(["POST", "/auth/./signin"], ["GET", "/auth/jwt/../jwt/jwks.json"]);
      for (const [method, target] of targets) {
        const res = await rawRequest(server?.baseUrl ?? "", method, target);
        expect(res.status, `${method} ${target}`).to.be.within(400, 499);
        expect(res.body, `${method} ${target}`).to.not.match(/"keys"|FIELD_ERROR/);
      }
      // The same route, plainly addressed, is served.
      expect((await rawRequest(server?.baseUrl ?? "", "GET", "/auth/jwt/jwks.json")).body).to.match(/"keys"/);
    });
  });
}
