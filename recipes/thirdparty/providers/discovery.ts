import crypto from "node:crypto";
import { providerError } from "../error";
import { providerJSON } from "./http";

/** A provider's public key, with the JWK it came from (its kty, alg and crv limit what it may verify). */
export type SigningKey = crypto.KeyObject & { jwk: crypto.JsonWebKey };

/** What Latchkey reads from an OpenID discovery document. */
export interface DiscoveredEndpoints {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userInfoEndpoint: string | undefined;
  jwksURI: string;
}

// Providers change these rarely; an hour keeps a login from paying for a discovery round trip.
const DISCOVERY_TTL_MS = 60 * 60_000;
const JWKS_TTL_MS = 60 * 60_000;
// An unknown kid refetches the JWKS (the provider rotated), but at most this often, so forged kids cannot make
// every request call the provider.
const JWKS_REFETCH_MS = 30_000;

const discoveries = new Map<string, { at: number; value: Promise<DiscoveredEndpoints> }>();
const keySets = new Map<string, { at: number; value: Promise<Map<string, SigningKey>> }>();

/** The endpoints of an OpenID provider, from its discovery document (cached; a failure is not). */
export function discover(url: string, timeoutMs: number): Promise<DiscoveredEndpoints> {
  const cached = discoveries.get(url);
  if (cached !== undefined && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.value;
  const value = fetchDiscovery(url, timeoutMs);
  discoveries.set(url, { at: Date.now(), value });
  value.catch(() => discoveries.delete(url));
  return value;
}

async function fetchDiscovery(url: string, timeoutMs: number): Promise<DiscoveredEndpoints> {
  const { status, body } = await providerJSON(url, { timeoutMs }, "discovery");
  if (status !== 200) throw providerError("The login provider's discovery document is unavailable");
  const text = (key: string, required: boolean): string | undefined => {
    const value = body[key];
    if (typeof value === "string" && value !== "") return value;
    if (required) throw providerError(`The login provider's discovery document has no ${key}`);
    return undefined;
  };
  return {
    issuer: text("issuer", true) as string,
    authorizationEndpoint: text("authorization_endpoint", true) as string,
    tokenEndpoint: text("token_endpoint", true) as string,
    userInfoEndpoint: text("userinfo_endpoint", false),
    jwksURI: text("jwks_uri", true) as string,
  };
}

/** The signing key with this kid (or the only one, when the token names none) from the provider's JWKS. */
export async function signingKey(
  jwksURI: string,
  kid: string | undefined,
  timeoutMs: number,
): Promise<SigningKey | undefined> {
  let cached = keySets.get(jwksURI);
  if (cached === undefined || Date.now() - cached.at >= JWKS_TTL_MS) cached = refetch(jwksURI, timeoutMs);
  let keys = await cached.value;
  let key = pick(keys, kid);
  if (key === undefined && Date.now() - cached.at >= JWKS_REFETCH_MS) {
    keys = await refetch(jwksURI, timeoutMs).value;
    key = pick(keys, kid);
  }
  return key;
}

function pick(keys: Map<string, SigningKey>, kid: string | undefined): SigningKey | undefined {
  if (kid !== undefined) return keys.get(kid);
  return keys.size === 1 ? keys.values().next().value : undefined;
}

function refetch(jwksURI: string, timeoutMs: number): { at: number; value: Promise<Map<string, SigningKey>> } {
  const entry = { at: Date.now(), value: fetchKeys(jwksURI, timeoutMs) };
  keySets.set(jwksURI, entry);
  entry.value.catch(() => keySets.delete(jwksURI));
  return entry;
}

async function fetchKeys(jwksURI: string, timeoutMs: number): Promise<Map<string, SigningKey>> {
  const { status, body } = await providerJSON(jwksURI, { timeoutMs }, "signing keys");
  if (status !== 200 || !Array.isArray(body.keys))
    throw providerError("The login provider's signing keys are unavailable");
  const keys = new Map<string, SigningKey>();
  body.keys.forEach((jwk: unknown, i) => {
    if (typeof jwk !== "object" || jwk === null) return;
    const { kid, use, d } = jwk as { kid?: unknown; use?: unknown; d?: unknown };
    // Encryption keys and anything carrying a private part are not signing keys for us.
    if ((use !== undefined && use !== "sig") || d !== undefined) return;
    try {
      const key = Object.assign(crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: "jwk" }), {
        jwk: jwk as crypto.JsonWebKey,
      });
      keys.set(typeof kid === "string" ? kid : `#${i}`, key);
    } catch {
      // A key type node cannot read is skipped; a token signed by it fails as "unknown key".
    }
  });
  return keys;
}

/** Forgets every cached discovery document and key set (tests; a provider known to have rotated). */
export function clearProviderCaches(): void {
  discoveries.clear();
  keySets.clear();
}
