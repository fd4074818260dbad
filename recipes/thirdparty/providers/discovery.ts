import * as oauth from "oauth4webapi";
import { LatchkeyError } from "../../../lib/error";
import { providerError } from "../error";
import { providerFetch } from "./http";

// Providers change these rarely; an hour keeps a login from paying for a discovery round trip.
const DISCOVERY_TTL_MS = 60 * 60_000;

const discoveries = new Map<string, { at: number; value: Promise<oauth.AuthorizationServer> }>();
// oauth4webapi keeps a provider's JWKS here (refetched after 5 minutes, or for an unknown kid at most once a minute).
const keySets = new Map<string, oauth.JWKSCacheInput>();

/**
 * A provider's metadata from its discovery document (cached for an hour; a failure is not). `expectedIssuer` is what
 * the document must name (OpenID Connect Discovery 4.3); undefined when only a discovery URL is configured.
 */
export function discover(
  url: string,
  expectedIssuer: string | undefined,
  timeoutMs: number,
): Promise<oauth.AuthorizationServer> {
  const key = `${url}\u0000${expectedIssuer ?? ""}`;
  const cached = discoveries.get(key);
  if (cached !== undefined && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.value;
  const value = fetchDiscovery(url, expectedIssuer, timeoutMs);
  discoveries.set(key, { at: Date.now(), value });
  value.catch(() => discoveries.delete(key));
  return value;
}

async function fetchDiscovery(
  url: string,
  expectedIssuer: string | undefined,
  timeoutMs: number,
): Promise<oauth.AuthorizationServer> {
  const response = await providerFetch("discovery", timeoutMs)(url, {
    method: "GET",
    headers: { accept: "application/json" },
  });
  let server: oauth.AuthorizationServer;
  try {
    // Without a configured issuer the document names its own (read once here, then checked by the library).
    const issuer = expectedIssuer ?? ((await response.clone().json()) as { issuer?: unknown }).issuer;
    if (typeof issuer !== "string") throw providerError("The login provider's discovery document has no issuer");
    server = await oauth.processDiscoveryResponse(new URL(issuer), response);
  } catch (err) {
    if (LatchkeyError.isErrorFromAuth(err)) throw err;
    if (err instanceof oauth.OperationProcessingError && err.code === oauth.RESPONSE_IS_NOT_CONFORM)
      throw providerError("The login provider's discovery document is unavailable");
    if (err instanceof oauth.OperationProcessingError && err.code === oauth.JSON_ATTRIBUTE_COMPARISON)
      throw providerError("The login provider's discovery document names another issuer");
    throw providerError("The login provider sent an unreadable answer (discovery)", err);
  }
  for (const key of ["authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
    if (typeof server[key] !== "string" || server[key] === "")
      throw providerError(`The login provider's discovery document has no ${key}`);
  }
  return server;
}

/** The JWKS cache oauth4webapi reads and refreshes for this key set URL. */
export function keySetCache(jwksURI: string): oauth.JWKSCacheInput {
  let cache = keySets.get(jwksURI);
  if (cache === undefined) {
    cache = {};
    keySets.set(jwksURI, cache);
  }
  return cache;
}

/** Forgets every cached discovery document and key set (tests; a provider known to have rotated). */
export function clearProviderCaches(): void {
  discoveries.clear();
  keySets.clear();
}
