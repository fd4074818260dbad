import crypto from "node:crypto";
import { DEFAULT_TENANT_ID } from "../../lib/seams";
import type { JSONObject } from "../../lib/types";
import { type SessionError, tryRefreshToken } from "./error";
import type { SigningKey, SigningKeyStore, VerificationKey } from "./signingKeys";
import type { SigningAlgorithm } from "./types";

/** What an access token says, as Latchkey writes it. The user's payload sits apart, under `up`. */
export interface AccessTokenPayload {
  sub: string;
  sessionHandle: string;
  /** The session's tenant; tokens issued before tenants existed have none and belong to "public". */
  tId?: string;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
  /** The user's jwtPayload; it can never overwrite the claims above. */
  up: JSONObject;
  antiCsrfToken?: string;
  /** After a refresh: hash of the refresh token that was used, and of the one issued (lineage, see refresh). */
  prh?: string;
  rth?: string;
}

const HEADER_CACHE_LIMIT = 64;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// How far ahead of this process's clock another process's may be: iat/nbf beyond it mean "not valid yet".
const CLOCK_SKEW_MS = 60_000;

/** Signs and verifies access tokens (RS256 or ES256 JWTs) with the deployment's keys. */
export class AccessTokenCodec {
  // A key signs many tokens with the same header, so the parsed header -> key lookup is cached per header string.
  private readonly headerKeys = new Map<string, VerificationKey>();

  /** A codec over the deployment's key store. */
  constructor(private readonly keys: SigningKeyStore) {}

  /** Signs a payload with the current key. */
  async sign(payload: AccessTokenPayload): Promise<string> {
    return signWith(await this.keys.getSigningKey(), payload);
  }

  /**
   * A synchronous signer over the current key, so a caller can sign while its database write is in flight (the
   * signature is CPU, the write is a round trip: overlapping them is most of what a refresh can save).
   */
  async signer(): Promise<(payload: AccessTokenPayload) => string> {
    const key = await this.keys.getSigningKey();
    return (payload) => signWith(key, payload);
  }

  /**
   * Verifies signature (with a key the deployment made, in that key's algorithm only) and expiry, and returns the payload.
   * Anything wrong is TRY_REFRESH_TOKEN: the client's refresh then decides whether a session still exists.
   */
  async verify(token: string): Promise<AccessTokenPayload> {
    const firstDot = token.indexOf(".");
    const secondDot = token.indexOf(".", firstDot + 1);
    if (
      firstDot <= 0 ||
      secondDot <= firstDot + 1 ||
      secondDot === token.length - 1 ||
      token.indexOf(".", secondDot + 1) !== -1
    ) {
      throw invalid("the access token is not a JWT");
    }
    const headerPart = token.slice(0, firstDot);
    const key = this.headerKeys.get(headerPart) ?? (await this.keyForHeader(headerPart));
    const signaturePart = token.slice(secondDot + 1);
    const signature = Buffer.from(signaturePart, "base64url");
    // Node's decoder skips characters outside the alphabet and ignores unused trailing bits, so many strings decode
    // to one signature; only the canonical encoding is accepted, so a token has exactly one spelling.
    if (!BASE64URL.test(signaturePart) || signature.toString("base64url") !== signaturePart)
      throw invalid("the access token's signature is not valid");
    const signed = Buffer.from(token.slice(0, secondDot));
    const verifyKey =
      key.algorithm === "ES256" ? { key: key.publicKey, dsaEncoding: "ieee-p1363" as const } : key.publicKey;
    if (!crypto.verify("sha256", signed, verifyKey, signature))
      throw invalid("the access token's signature is not valid");
    const payload = parsePayload(token.slice(firstDot + 1, secondDot));
    const now = Date.now();
    if (payload.exp * 1000 <= now) throw invalid("the access token has expired");
    // Only a process with a wrong clock issues these; its tokens would outlive accessTokenValidity.
    if (payload.iat * 1000 > now + CLOCK_SKEW_MS) throw invalid("the access token was issued in the future");
    const nbf = (payload as { nbf?: unknown }).nbf;
    if (nbf !== undefined && (typeof nbf !== "number" || nbf * 1000 > now + CLOCK_SKEW_MS))
      throw invalid("the access token is not valid yet");
    return payload;
  }

  private async keyForHeader(headerPart: string): Promise<VerificationKey> {
    let header: unknown;
    try {
      header = JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8"));
    } catch {
      throw invalid("the access token's header is not JSON");
    }
    const h = header as { alg?: unknown; kid?: unknown; [k: string]: unknown } | null;
    // The algorithm is pinned: a token cannot pick "none", HS256 or anything else, nor bring its own key (jwk/jku/x5u).
    if (
      h === null ||
      typeof h !== "object" ||
      (h.alg !== "RS256" && h.alg !== "ES256") ||
      typeof h.kid !== "string" ||
      "jwk" in h ||
      "jku" in h ||
      "x5u" in h
    ) {
      throw invalid("the access token's header is not one Latchkey issues");
    }
    const key = this.keys.getVerificationKey(h.kid) ?? (await this.keys.findUnknownKey(h.kid));
    if (key === undefined) throw invalid("the access token was signed by an unknown key");
    // The key, not the token, says which algorithm: an ES256 header on an RS256 key's kid (or the reverse) fails.
    if (h.alg !== key.algorithm) throw invalid("the access token's algorithm is not its key's");
    if (this.headerKeys.size >= HEADER_CACHE_LIMIT) this.headerKeys.clear();
    this.headerKeys.set(headerPart, key);
    return key;
  }
}

/** Signs a payload with a given key (exported for the benchmark and tests of foreign keys). */
export function signWith(
  key: Pick<SigningKey, "kid" | "privateKey"> & { algorithm?: SigningAlgorithm },
  payload: AccessTokenPayload,
): string {
  const algorithm = key.algorithm ?? "RS256";
  const header = Buffer.from(JSON.stringify({ alg: algorithm, typ: "JWT", kid: key.kid })).toString("base64url");
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  // JWS wants ES256 signatures as r||s (IEEE P1363), not node's default DER.
  const signingKey =
    algorithm === "ES256" ? { key: key.privateKey, dsaEncoding: "ieee-p1363" as const } : key.privateKey;
  const signature = crypto.sign("sha256", Buffer.from(`${header}.${body}`), signingKey).toString("base64url");
  return `${header}.${body}.${signature}`;
}

function parsePayload(part: string): AccessTokenPayload {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw invalid("the access token's payload is not JSON");
  }
  const p = value as Partial<AccessTokenPayload> | null;
  if (
    p === null ||
    typeof p !== "object" ||
    typeof p.sub !== "string" ||
    typeof p.sessionHandle !== "string" ||
    typeof p.exp !== "number" ||
    typeof p.iat !== "number" ||
    typeof p.up !== "object" ||
    p.up === null ||
    Array.isArray(p.up) ||
    (p.tId !== undefined && typeof p.tId !== "string")
  ) {
    throw invalid("the access token's payload is not one Latchkey issues");
  }
  return p as AccessTokenPayload;
}

/** The tenant an access token belongs to ("public" for tokens issued before tenants existed). */
export function tenantOf(payload: Pick<AccessTokenPayload, "tId">): string {
  return payload.tId ?? DEFAULT_TENANT_ID;
}

function invalid(message: string): SessionError<"TRY_REFRESH_TOKEN"> {
  return tryRefreshToken(message);
}
