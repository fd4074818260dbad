import crypto from "node:crypto";
import { sameSecret } from "../../../lib/secrets";
import { signingKey } from "./discovery";
import { signInRefused } from "../error";

/** What an ID token must match to be accepted. */
export interface IdTokenExpectations {
  jwksURI: string;
  /** Accepted `iss` values; `{tenantid}` in one matches the token's own `tid` claim (Microsoft's multi-tenant issuer). */
  issuers: string[];
  clientId: string;
  /** Set when this backend started the flow: the token must carry exactly this nonce. */
  nonce: string | undefined;
  timeoutMs: number;
}

// The asymmetric algorithms OpenID providers sign with. "none" and the HMAC family are never accepted: an HMAC
// key would be the client secret, which the frontend must not be able to mint tokens with.
const ALGORITHMS: Record<string, { hash: string; kty: string; padding?: number; curve?: string }> = {
  RS256: { hash: "sha256", kty: "RSA" },
  RS384: { hash: "sha384", kty: "RSA" },
  RS512: { hash: "sha512", kty: "RSA" },
  PS256: { hash: "sha256", kty: "RSA", padding: crypto.constants.RSA_PKCS1_PSS_PADDING },
  PS384: { hash: "sha384", kty: "RSA", padding: crypto.constants.RSA_PKCS1_PSS_PADDING },
  PS512: { hash: "sha512", kty: "RSA", padding: crypto.constants.RSA_PKCS1_PSS_PADDING },
  ES256: { hash: "sha256", kty: "EC", curve: "P-256" },
  ES384: { hash: "sha384", kty: "EC", curve: "P-384" },
  ES512: { hash: "sha512", kty: "EC", curve: "P-521" },
};

// Clocks of the provider and of this server may differ a little.
const CLOCK_SKEW_S = 60;
const MAX_TOKEN_LENGTH = 16 * 1024;

/** Verifies an ID token's signature (provider's JWKS) and claims; returns its payload or throws SIGN_IN_REFUSED. */
export async function verifyIdToken(token: unknown, expect: IdTokenExpectations): Promise<Record<string, unknown>> {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH)
    throw signInRefused("The ID token is missing or malformed");
  const parts = token.split(".");
  if (parts.length !== 3) throw signInRefused("The ID token is malformed");
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJSON(headerPart);
  const payload = decodeJSON(payloadPart);
  const alg = typeof header.alg === "string" ? ALGORITHMS[header.alg] : undefined;
  if (alg === undefined || !Object.hasOwn(ALGORITHMS, header.alg as string))
    throw signInRefused("The ID token's algorithm is not accepted");
  if (header.kid !== undefined && typeof header.kid !== "string") throw signInRefused("The ID token is malformed");
  const key = await signingKey(expect.jwksURI, header.kid as string | undefined, expect.timeoutMs);
  if (key === undefined) throw signInRefused("The ID token was signed by an unknown key");
  // The key decides what it may verify, never the token: an RSA key cannot vouch for an EC signature.
  if (
    key.jwk.kty !== alg.kty ||
    (key.jwk.alg !== undefined && key.jwk.alg !== header.alg) ||
    (alg.curve !== undefined && key.jwk.crv !== alg.curve)
  ) {
    throw signInRefused("The ID token's algorithm does not match its key");
  }
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, "base64url");
  const valid = crypto.verify(
    alg.hash,
    signed,
    {
      key,
      ...(alg.padding === undefined
        ? {}
        : { padding: alg.padding, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST }),
      ...(alg.kty === "EC" ? { dsaEncoding: "ieee-p1363" as const } : {}),
    },
    signature,
  );
  if (!valid) throw signInRefused("The ID token's signature is invalid");
  checkClaims(payload, expect);
  return payload;
}

function checkClaims(payload: Record<string, unknown>, expect: IdTokenExpectations): void {
  const now = Math.floor(Date.now() / 1000);
  const issuer = typeof payload.iss === "string" ? payload.iss : undefined;
  const tid = typeof payload.tid === "string" ? payload.tid : undefined;
  if (
    issuer === undefined ||
    !expect.issuers.some((i) => i === issuer || (tid !== undefined && i.split("{tenantid}").join(tid) === issuer))
  ) {
    throw signInRefused("The ID token was issued by another issuer");
  }
  const audiences = typeof payload.aud === "string" ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  if (!audiences.includes(expect.clientId)) throw signInRefused("The ID token was issued for another client");
  // With several audiences, the authorised party must be us (OpenID Connect Core 3.1.3.7).
  if (audiences.length > 1 && payload.azp !== expect.clientId)
    throw signInRefused("The ID token was issued for another client");
  if (typeof payload.exp !== "number" || payload.exp + CLOCK_SKEW_S <= now)
    throw signInRefused("The ID token has expired");
  if (payload.iat !== undefined && (typeof payload.iat !== "number" || payload.iat - CLOCK_SKEW_S > now))
    throw signInRefused("The ID token is not valid yet");
  if (payload.nbf !== undefined && (typeof payload.nbf !== "number" || payload.nbf - CLOCK_SKEW_S > now))
    throw signInRefused("The ID token is not valid yet");
  if (typeof payload.sub !== "string" || payload.sub === "") throw signInRefused("The ID token names no user");
  if (expect.nonce !== undefined && !sameString(payload.nonce, expect.nonce))
    throw signInRefused("The ID token belongs to another sign-in attempt");
}

function sameString(value: unknown, expected: string): boolean {
  return typeof value === "string" && sameSecret(value, expected);
}

function decodeJSON(part: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw signInRefused("The ID token is malformed");
}
