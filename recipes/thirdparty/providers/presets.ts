import crypto from "node:crypto";
import type { NormalisedProviderConfig, OAuthTokens, ProviderConfig, UserInfo } from "../types";
import { providerError, signInRefused } from "../error";
import { providerAnyJSON, providerJSON } from "./http";

/** What a built-in provider fills in, and where it differs from a plain OpenID Connect / OAuth 2.0 provider. */
export interface ProviderPreset {
  name: string;
  defaults: (client: {
    additionalConfig?: Record<string, unknown>;
  }) => Partial<Omit<ProviderConfig, "thirdPartyId" | "clients" | "name">>;
  /** Issuers the ID tokens may carry besides the configured one. */
  extraIssuers?: string[];
  /** The issuer the discovery document names, where it is not the configured one (Microsoft's shared directories). */
  discoveredIssuer?: (config: NormalisedProviderConfig) => string | undefined;
  defaultScope: string[];
  defaultForcePKCE: boolean;
  /** The client secret to send to the token endpoint, when it is not a fixed string (Apple's is a signed JWT). */
  clientSecret?: (config: NormalisedProviderConfig) => string;
  /** Reads the user when the provider has no ID token (GitHub). */
  getUserInfo?: (config: NormalisedProviderConfig, tokens: OAuthTokens) => Promise<UserInfo>;
  /** Checks that an access token a native app sent was issued to this client (when the config gives no check). */
  validateAccessToken?: (config: NormalisedProviderConfig, accessToken: string) => Promise<void>;
}

const google: ProviderPreset = {
  name: "Google",
  defaults: () => ({ issuer: "https://accounts.google.com" }),
  extraIssuers: ["accounts.google.com"],
  defaultScope: ["openid", "email"],
  defaultForcePKCE: true,
};

// The directory of personal Microsoft accounts, as its discovery document and ID tokens name it.
const MICROSOFT_CONSUMERS = "9188040d-6c67-4c5b-b112-36a304b66dad";

const microsoft: ProviderPreset = {
  name: "Microsoft",
  // additionalConfig.directoryId: a tenant id, or "common" (default), "organizations" or "consumers".
  defaults: (client) => ({
    issuer: microsoftIssuer(
      typeof client.additionalConfig?.directoryId === "string" ? client.additionalConfig.directoryId : "common",
    ),
  }),
  // The shared directories' documents name a template, or the consumers' directory by its id.
  discoveredIssuer: (config) => {
    const directory = config.client.additionalConfig?.directoryId;
    if (directory === undefined || directory === "common" || directory === "organizations")
      return "https://login.microsoftonline.com/{tenantid}/v2.0";
    return directory === "consumers" ? microsoftIssuer(MICROSOFT_CONSUMERS) : config.issuer;
  },
  defaultScope: ["openid", "email", "profile"],
  defaultForcePKCE: true,
};

const github: ProviderPreset = {
  name: "GitHub",
  defaults: () => ({
    authorizationEndpoint: "https://github.com/login/oauth/authorize",
    tokenEndpoint: "https://github.com/login/oauth/access_token",
    userInfoEndpoint: "https://api.github.com/user",
  }),
  defaultScope: ["read:user", "user:email"],
  defaultForcePKCE: true,
  getUserInfo: githubUserInfo,
  validateAccessToken: githubValidateAccessToken,
};

const apple: ProviderPreset = {
  name: "Apple",
  defaults: () => ({ issuer: "https://appleid.apple.com" }),
  defaultScope: ["openid", "email"],
  // Apple's token endpoint does not document PKCE; the verifier still binds the ID token's nonce to the browser.
  defaultForcePKCE: false,
  clientSecret: appleClientSecret,
};

/** The built-in providers, by thirdPartyId. */
export const PRESETS: Readonly<Record<string, ProviderPreset>> = {
  google,
  github,
  apple,
  microsoft,
  "active-directory": microsoft,
};

/** The Microsoft identity platform's issuer for a directory; multi-tenant ones name `{tenantid}`, matched per token. */
export function microsoftIssuer(directoryId: string): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(directoryId)}/v2.0`;
}

// GitHub speaks OAuth 2.0 only: the user from /user, the email from /user/emails (the primary one, and whether
// GitHub verified it), since /user shows only a public email, if any.
async function githubUserInfo(config: NormalisedProviderConfig, tokens: OAuthTokens): Promise<UserInfo> {
  const accessToken = tokens.access_token;
  if (typeof accessToken !== "string" || accessToken === "")
    throw providerError("The login provider sent no access token");
  const headers = {
    authorization: `Bearer ${accessToken}`,
    accept: "application/vnd.github+json",
    "user-agent": "latchkey",
  };
  const userURL = config.userInfoEndpoint ?? "https://api.github.com/user";
  const user = await providerJSON(userURL, { headers, timeoutMs: config.requestTimeoutMs }, "user");
  if (user.status !== 200 || (typeof user.body.id !== "number" && typeof user.body.id !== "string")) {
    throw providerError("The login provider did not say who the user is");
  }
  const emailsAnswer = await providerAnyJSON(
    `${userURL.replace(/\/$/, "")}/emails`,
    { headers, timeoutMs: config.requestTimeoutMs },
    "emails",
  );
  const emails =
    emailsAnswer.status === 200 && Array.isArray(emailsAnswer.body)
      ? emailsAnswer.body.filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null)
      : [];
  const primary = emails.find((e) => e.primary === true) ?? emails.find((e) => e.verified === true);
  return {
    thirdPartyUserId: String(user.body.id),
    email:
      typeof primary?.email === "string" ? { id: primary.email, isVerified: primary.verified === true } : undefined,
    rawUserInfoFromProvider: { fromUserInfoAPI: { ...user.body, emails } },
  };
}

// Any GitHub access token reads its owner's profile, whichever app it was issued to: a token sent by a native app
// must be shown to belong to this client first (GitHub's "check a token" API, authenticated as the app).
async function githubValidateAccessToken(config: NormalisedProviderConfig, accessToken: string): Promise<void> {
  const { clientId, clientSecret } = config.client;
  if (clientSecret === undefined)
    throw signInRefused("GitHub access tokens cannot be checked without the client secret");
  const api = new URL(config.userInfoEndpoint ?? "https://api.github.com/user").origin;
  const answer = await providerJSON(
    `${api}/applications/${encodeURIComponent(clientId)}/token`,
    {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
        accept: "application/vnd.github+json",
        "user-agent": "latchkey",
      },
      json: { access_token: accessToken },
      timeoutMs: config.requestTimeoutMs,
    },
    "token check",
  );
  const app = answer.body.app as { client_id?: unknown } | undefined;
  if (answer.status !== 200 || typeof app !== "object" || app === null || app.client_id !== clientId) {
    throw signInRefused("The access token was not issued to this app");
  }
}

// Apple wants a client secret that is a short-lived ES256 JWT signed with the team's key.
function appleClientSecret(config: NormalisedProviderConfig): string {
  const { keyId, teamId, privateKey } = (config.client.additionalConfig ?? {}) as {
    keyId?: unknown;
    teamId?: unknown;
    privateKey?: unknown;
  };
  if (typeof keyId !== "string" || typeof teamId !== "string" || typeof privateKey !== "string") {
    throw providerError("Apple sign-in is not configured: additionalConfig needs keyId, teamId and privateKey");
  }
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "ES256", kid: keyId })}.${encode({ iss: teamId, iat: now, exp: now + 300, aud: "https://appleid.apple.com", sub: config.client.clientId })}`;
  const signature = crypto.sign("sha256", Buffer.from(unsigned), { key: privateKey, dsaEncoding: "ieee-p1363" });
  return `${unsigned}.${signature.toString("base64url")}`;
}
