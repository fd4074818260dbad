// A demo OpenID provider for the example shop: the oidc-provider package, in this process, with its development
// login pages (any name logs in). It stands in for Google, Microsoft or your company's IdP, which the example
// cannot reach. Never use it in production.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/** A running demo provider with one registered client. */
export interface DemoProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/** The demo accounts' claims: `<name>@example.com`, verified unless the name is "unverified". */
function claimsOf(accountId: string): { sub: string; email: string; email_verified: boolean } {
  return { sub: accountId, email: `${accountId}@example.com`, email_verified: accountId !== "unverified" };
}

/** Starts the provider on 127.0.0.1 (port 0: any free one), accepting the given redirect URIs. */
export async function startDemoProvider(redirectURIs: string[], port = 0): Promise<DemoProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signingKey = {
    ...crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }),
    kid: "demo",
    use: "sig",
    alg: "RS256",
  };
  const clientId = "latchkey-demo";
  const clientSecret = crypto.randomBytes(16).toString("hex");
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectURIs,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => claimsOf(id) }),
    cookies: { keys: [crypto.randomBytes(16).toString("hex")] },
    jwks: { keys: [signingKey] },
    features: { devInteractions: { enabled: true } },
  });
  server.on("request", provider.callback());
  return { issuer, clientId, clientSecret, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
