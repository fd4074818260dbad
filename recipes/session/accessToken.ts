import crypto from "node:crypto";
import { authDecision } from "../../lib/logger";
import { DEFAULT_TENANT_ID } from "../../lib/seams";
import type { JSONObject } from "../../lib/types";
import { protectedClaimInPayload, type SessionError, tryRefreshToken } from "./error";
import type { SigningKey, SigningKeyStore, VerificationKey } from "./signingKeys";
import type { SigningAlgorithm } from "./types";

/**
 * What an access token says. On the wire (supertokens-node's v5 tokens) the custom claims sit at the top level beside
 * the protected ones; in memory they are kept apart, under `up`, so no custom claim can stand for a protected one.
 */
export interface AccessTokenPayload {
  sub: string;
  sessionHandle: string;
  /** The session's tenant; tokens issued before tenants existed have none and belong to "public". */
  tId?: string;
  /** apiDomain + apiBasePath, as supertokens-node writes it. */
  iss?: string;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
  /** The user's jwtPayload (the custom claims); it can never overwrite the claims above. */
  up: JSONObject;
  antiCsrfToken?: string;
  /** After a refresh: hash of the refresh token that was used, and of the one issued (lineage, see refresh). */
  prh?: string;
  rth?: string;
}

/**
 * Claims the token itself owns: a custom payload may not set them (createNewSession and updateJWTPayload refuse it).
 * supertokens-node's protected props, `iss`, and Latchkey's refresh-lineage claims.
 */
export const PROTECTED_CLAIMS: readonly string[] = [
  "sub",
  "iat",
  "exp",
  "sessionHandle",
  "parentRefreshTokenHash1",
  "refreshTokenHash1",
  "antiCsrfToken",
  "rsub",
  "tId",
  "iss",
  "prh",
  "rth",
];
const PROTECTED = new Set(PROTECTED_CLAIMS);

/** Throws PROTECTED_CLAIM_IN_PAYLOAD for the first protected claim among a custom payload's keys. */
export function assertNoProtectedClaim(payload: object): void {
  const key = PROTECTED_CLAIMS.find((k) => Object.prototype.hasOwnProperty.call(payload, k));
  if (key !== undefined) throw protectedClaimInPayload(key);
}
// The header's version marker, as supertokens-node writes it on its v5 tokens ("version": "5").
const TOKEN_VERSION = "5";

const HEADER_CACHE_LIMIT = 64;
/** The characters of a compact JWS: base64url segments joined by dots. */
const JWT_ALPHABET = /^[A-Za-z0-9_.-]+$/;
/** How many verified access tokens a process remembers by default (Session.init's verifiedTokenCacheSize). */
export const DEFAULT_VERIFIED_TOKEN_CACHE_SIZE = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// How far ahead of this process's clock another process's may be: iat/nbf beyond it mean "not valid yet".
const CLOCK_SKEW_MS = 60_000;

/** Signs and verifies access tokens (RS256 or ES256 JWTs) with the deployment's keys. */
export class AccessTokenCodec {
  // A key signs many tokens with the same header, so the parsed header -> key lookup is cached per header string.
  private readonly headerKeys = new Map<string, VerificationKey>();
  // Tokens whose signature held, by their exact string, with the key that verified them: a token seen again skips
  // crypto.verify (the costliest step of a request). Everything else is checked again on every use.
  private readonly verified: VerifiedTokenCache;

  /** A codec over the deployment's key store; `verifiedTokenCacheSize` 0 verifies every signature every time. */
  constructor(
    private readonly keys: SigningKeyStore,
    verifiedTokenCacheSize = DEFAULT_VERIFIED_TOKEN_CACHE_SIZE,
  ) {
    this.verified = new VerifiedTokenCache(verifiedTokenCacheSize);
  }

  /** Signs a payload with the current key. */
  async sign(payload: AccessTokenPayload): Promise<string> {
    return signWithAsync(await this.keys.getSigningKey(), payload);
  }

  /**
   * A signer over the current key that signs on libuv's thread pool (node's asynchronous crypto.sign), so a caller
   * sends its database write first and the signature is made while the write is in flight, the main thread free.
   */
  async signer(): Promise<(payload: AccessTokenPayload) => Promise<string>> {
    const key = await this.keys.getSigningKey();
    return (payload) => signWithAsync(key, payload);
  }

  /**
   * Verifies signature (with a key the deployment made, in that key's algorithm only) and expiry, and returns the payload.
   * Anything wrong is TRY_REFRESH_TOKEN: the client's refresh then decides whether a session still exists.
   */
  async verify(token: string): Promise<AccessTokenPayload> {
    const seenKey = this.verified.get(token);
    if (seenKey !== undefined) {
      // The same check as the header -> key cache: the key must still be the store's and inside its verify window,
      // so a retired or removed key's tokens stop here at the very moment they would stop without this cache.
      if (this.keys.getVerificationKey(seenKey.kid) === seenKey) {
        const firstDot = token.indexOf(".");
        // Parsed afresh per use: no request shares (or can mutate) another's payload object.
        return checkTimes(parsePayload(token.slice(firstDot + 1, token.lastIndexOf("."))));
      }
      this.verified.delete(token);
    }
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
    const key = this.cachedKey(headerPart) ?? (await this.keyForHeader(headerPart));
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
    const payload = checkTimes(parsePayload(token.slice(firstDot + 1, secondDot)));
    // Only a token whose signature held and that is valid now is remembered: a forged one never enters.
    this.verified.set(token, key);
    return payload;
  }

  // A cached lookup holds only while the store still holds that very key and its verify window is open: once the key
  // is retired (its window closed, or a reload no longer finds it in the database) the cache must not outlive it.
  /** How many verified tokens this codec remembers now (tests check the bound with it). */
  get verifiedTokenCount(): number {
    return this.verified.size;
  }

  private cachedKey(headerPart: string): VerificationKey | undefined {
    const key = this.headerKeys.get(headerPart);
    if (key === undefined) return undefined;
    if (this.keys.getVerificationKey(key.kid) === key) return key;
    this.headerKeys.delete(headerPart);
    return undefined;
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
      // Tokens of the shape before v5 (custom claims under `up`, no version) are refused: the client refreshes.
      h.version !== TOKEN_VERSION ||
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

/** Expiry, issue time and nbf against this process's clock, read now (on every use, cached or not). */
function checkTimes(payload: AccessTokenPayload): AccessTokenPayload {
  const now = Date.now();
  if (payload.exp * 1000 <= now) throw invalid("the access token has expired", payload);
  // Only a process with a wrong clock issues these; its tokens would outlive accessTokenValidity.
  if (payload.iat * 1000 > now + CLOCK_SKEW_MS) throw invalid("the access token was issued in the future");
  const nbf = payload.up.nbf;
  if (nbf !== undefined && (typeof nbf !== "number" || nbf * 1000 > now + CLOCK_SKEW_MS))
    throw invalid("the access token is not valid yet");
  return payload;
}

/**
 * A bounded map of verified token -> the key that verified it, oldest inserted evicted first. Keyed by the whole
 * token string (exact equality, no hash to collide): a token that differs in any character is a miss and is
 * verified in full. Many distinct valid tokens only evict one another; the memory bound is the size limit.
 */
class VerifiedTokenCache {
  private readonly entries = new Map<string, VerificationKey>();

  constructor(private readonly limit: number) {}

  get(token: string): VerificationKey | undefined {
    return this.limit === 0 ? undefined : this.entries.get(token);
  }

  set(token: string, key: VerificationKey): void {
    if (this.limit === 0) return;
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    // A copy, not the caller's string: a token cut from a request header can be a slice that keeps the whole header
    // (up to node's 16 KB limit) alive; the copy holds only the token's own characters.
    // Only a token in the JWT alphabet is remembered: for it the copy is exactly the same string, so the entry can
    // never stand for another token (a token Latchkey signed always is; anything else is simply not cached).
    if (!JWT_ALPHABET.test(token)) return;
    this.entries.set(Buffer.from(token, "latin1").toString("latin1"), key);
  }

  delete(token: string): void {
    this.entries.delete(token);
  }

  /** How many tokens are remembered (for tests of the bound). */
  get size(): number {
    return this.entries.size;
  }
}

type KeyToSignWith = Pick<SigningKey, "kid" | "privateKey"> & { algorithm?: SigningAlgorithm };

/** Signs a payload with a given key (exported for the benchmark and tests of foreign keys). */
export function signWith(key: KeyToSignWith, payload: AccessTokenPayload): string {
  const { signingInput, signingKey } = toSign(key, payload);
  return `${signingInput}.${crypto.sign("sha256", Buffer.from(signingInput), signingKey).toString("base64url")}`;
}

/** As signWith, the signature made on libuv's thread pool. */
export function signWithAsync(key: KeyToSignWith, payload: AccessTokenPayload): Promise<string> {
  const { signingInput, signingKey } = toSign(key, payload);
  return new Promise((resolve, reject) => {
    crypto.sign("sha256", Buffer.from(signingInput), signingKey, (err, signature) => {
      if (err !== null) reject(err);
      else resolve(`${signingInput}.${signature.toString("base64url")}`);
    });
  });
}

function toSign(
  key: KeyToSignWith,
  payload: AccessTokenPayload,
): { signingInput: string; signingKey: crypto.SignKeyObjectInput | crypto.KeyObject } {
  const algorithm = key.algorithm ?? "RS256";
  const header = Buffer.from(
    JSON.stringify({ alg: algorithm, typ: "JWT", version: TOKEN_VERSION, kid: key.kid }),
  ).toString("base64url");
  const body = Buffer.from(JSON.stringify(wirePayload(payload))).toString("base64url");
  // JWS wants ES256 signatures as r||s (IEEE P1363), not node's default DER.
  const signingKey =
    algorithm === "ES256" ? { key: key.privateKey, dsaEncoding: "ieee-p1363" as const } : key.privateKey;
  return { signingInput: `${header}.${body}`, signingKey };
}

/**
 * The payload as the token carries it (v5): custom claims at the top level, the protected claims written last so
 * that a stored custom key of the same name (set before v5 refused them) can never shadow one.
 */
export function wirePayload(payload: AccessTokenPayload): JSONObject {
  const { up, ...claims } = payload;
  const custom: JSONObject = {};
  // Tests and tools may hand over a payload already in wire form (no `up`): it is written as it is.
  for (const [key, value] of Object.entries(up ?? {})) if (!PROTECTED.has(key)) custom[key] = value;
  const own: JSONObject = {};
  for (const [key, value] of Object.entries(claims)) if (value !== undefined) own[key] = value as JSONObject[string];
  return { ...custom, ...own };
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
    (p.tId !== undefined && typeof p.tId !== "string") ||
    (p.antiCsrfToken !== undefined && typeof p.antiCsrfToken !== "string") ||
    (p.prh !== undefined && typeof p.prh !== "string") ||
    (p.rth !== undefined && typeof p.rth !== "string")
  ) {
    throw invalid("the access token's payload is not one Latchkey issues");
  }
  const own: Record<string, unknown> = {};
  const up: JSONObject = {};
  for (const [key, claim] of Object.entries(value as JSONObject)) {
    if (PROTECTED.has(key)) own[key] = claim;
    else up[key] = claim;
  }
  return { ...(own as Omit<AccessTokenPayload, "up">), up };
}

/** The tenant an access token belongs to ("public" for tokens issued before tenants existed). */
export function tenantOf(payload: Pick<AccessTokenPayload, "tId">): string {
  return payload.tId ?? DEFAULT_TENANT_ID;
}

// Every refusal of an access token is logged (debug) with its reason; the session only once the signature held.
function invalid(message: string, payload?: AccessTokenPayload): SessionError<"TRY_REFRESH_TOKEN"> {
  authDecision(`try refresh token: ${message}`, { sessionHandle: payload?.sessionHandle, userId: payload?.sub });
  return tryRefreshToken(message);
}
