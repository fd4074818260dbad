import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** How the fake provider's token endpoint behaves. */
export type TokenEndpointMode =
  | { kind: "idToken"; token: (claims: Record<string, unknown>) => string }
  | { kind: "status"; status: number; body: string; contentType?: string }
  | { kind: "hang" };

/** A hand-made OpenID provider on loopback whose answers a test chooses, to send what a real one never would. */
export interface FakeProvider {
  issuer: string;
  clientId: string;
  /** The provider's own signing key (its public half is in the JWKS under kid "k1"). */
  key: crypto.KeyObject;
  mode: TokenEndpointMode;
  /** How many times the JWKS was fetched. */
  jwksFetches: number;
  /** Answers of the discovery endpoint: a status other than 200, or "hang". */
  discovery: "ok" | "hang" | "garbage";
  /** Claims a correct ID token for this flow carries: iss, aud, sub, email, iat, exp (the nonce is the test's). */
  claims(nonce: string | undefined): Record<string, unknown>;
  close(): Promise<void>;
}

/** Signs a JWT with the given header and key (RS256 unless the header says otherwise). */
export function signJWT(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: crypto.KeyObject | Buffer | undefined,
): string {
  const encode = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
  const unsigned = `${encode(header)}.${encode(payload)}`;
  if (key === undefined) return `${unsigned}.`;
  if (Buffer.isBuffer(key))
    return `${unsigned}.${crypto.createHmac("sha256", key).update(unsigned).digest("base64url")}`;
  return `${unsigned}.${crypto.sign("sha256", Buffer.from(unsigned), key).toString("base64url")}`;
}

/** Starts the fake provider; its token endpoint answers as `mode` says at the time of the request. */
export async function startFakeProvider(): Promise<FakeProvider> {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const sockets = new Set<Socket>();
  const fake: FakeProvider = {
    issuer: "",
    clientId: "fake-client",
    key: privateKey,
    mode: { kind: "status", status: 500, body: "{}" },
    discovery: "ok",
    jwksFetches: 0,
    claims: (nonce) => {
      const now = Math.floor(Date.now() / 1000);
      return {
        iss: fake.issuer,
        aud: fake.clientId,
        sub: "fake-user-1",
        email: "fake@example.com",
        email_verified: true,
        iat: now,
        exp: now + 600,
        ...(nonce === undefined ? {} : { nonce }),
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const send = (status: number, body: string, type = "application/json") => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    const path = new URL(req.url ?? "/", fake.issuer).pathname;
    if (path === "/.well-known/openid-configuration") {
      if (fake.discovery === "hang") return;
      if (fake.discovery === "garbage") return send(200, "<html>not json</html>", "text/html");
      return send(
        200,
        JSON.stringify({
          issuer: fake.issuer,
          authorization_endpoint: `${fake.issuer}/authorize`,
          token_endpoint: `${fake.issuer}/token`,
          userinfo_endpoint: `${fake.issuer}/userinfo`,
          jwks_uri: `${fake.issuer}/jwks`,
        }),
      );
    }
    // Whoever holds any access token is "the user it names": what a provider says of a token from another app too.
    if (path === "/userinfo")
      return send(
        200,
        JSON.stringify({
          sub: `owner-of-${(req.headers.authorization ?? "").replace(/^Bearer /, "")}`,
          email: "owner@example.com",
          email_verified: true,
        }),
      );
    if (path === "/jwks") fake.jwksFetches++;
    if (path === "/jwks")
      return send(
        200,
        JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid: "k1", use: "sig", alg: "RS256" }] }),
      );
    if (path === "/token") {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        const mode = fake.mode;
        if (mode.kind === "hang") return;
        if (mode.kind === "status") return send(mode.status, mode.body, mode.contentType);
        const code = new URLSearchParams(body).get("code") ?? "";
        // The test passes the nonce it expects through the code, so each case builds its own token.
        const nonce = code.startsWith("nonce:") ? code.slice("nonce:".length) : undefined;
        send(
          200,
          JSON.stringify({
            access_token: "fake-access",
            token_type: "Bearer",
            id_token: mode.token(fake.claims(nonce)),
          }),
        );
      });
      return;
    }
    send(404, "{}");
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
