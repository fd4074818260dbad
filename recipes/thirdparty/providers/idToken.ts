import * as oauth from "oauth4webapi";
import { LatchkeyError } from "../../../lib/error";
import { providerError, signInRefused } from "../error";
import { keySetCache } from "./discovery";
import { providerFetch } from "./http";

/** What an ID token must match to be accepted. */
export interface IdTokenExpectations {
  jwksURI: string;
  /** Accepted `iss` values; `{tenantid}` in one matches the token's own `tid` claim (Microsoft's multi-tenant issuer). */
  issuers: string[];
  clientId: string;
  /** Set when this backend started the flow: the token must carry exactly this nonce. */
  nonce: string | undefined;
  timeoutMs: number;
  /** The provider's `id_token_signing_alg_values_supported`, when its discovery document lists them. */
  algorithms?: string[];
}

// The asymmetric algorithms OpenID providers sign with. "none" and the HMAC family are never accepted: an HMAC
// key would be the client secret, which the frontend must not be able to mint tokens with.
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

// Clocks of the provider and of this server may differ a little (oauth4webapi's default is 30 s).
const CLOCK_SKEW_S = 60;
const MAX_TOKEN_LENGTH = 16 * 1024;

/**
 * Verifies an ID token's signature (provider's JWKS) and claims with oauth4webapi, as if the token endpoint had
 * sent it (a native app's token is held to the same rules); returns its payload or throws SIGN_IN_REFUSED.
 */
export async function verifyIdToken(token: unknown, expect: IdTokenExpectations): Promise<Record<string, unknown>> {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH)
    throw signInRefused("The ID token is missing or malformed");
  // Read unverified only to pick which accepted issuer it claims; the library then checks that and everything else.
  const claimed = peekPayload(token);
  const issuer = acceptedIssuer(expect.issuers, claimed);
  if (issuer === undefined) throw signInRefused("The ID token was issued by another issuer");
  const algorithms = ALGORITHMS.filter((alg) => expect.algorithms?.includes(alg) ?? true);
  const server: oauth.AuthorizationServer = {
    issuer,
    jwks_uri: expect.jwksURI,
    id_token_signing_alg_values_supported: algorithms,
  };
  const client: oauth.Client = { client_id: expect.clientId, [oauth.clockTolerance]: CLOCK_SKEW_S };
  // Where this backend did not start the flow (a native app's token), any nonce the app chose is accepted.
  const nonce = expect.nonce ?? (typeof claimed.nonce === "string" ? claimed.nonce : oauth.expectNoNonce);
  const response = new Response(JSON.stringify({ access_token: "-", token_type: "bearer", id_token: token }), {
    headers: { "content-type": "application/json" },
  });
  let claims: oauth.IDToken | undefined;
  try {
    const result = await oauth.processAuthorizationCodeResponse(server, client, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
    claims = oauth.getValidatedIdTokenClaims(result);
  } catch (err) {
    throw claimRefusal(err);
  }
  try {
    // The library checks a token endpoint's ID token by TLS alone (OpenID Connect Core 3.1.3.7); ours may come from
    // a native app, so its signature is always checked against the provider's keys.
    await oauth.validateApplicationLevelSignature(server, response, {
      [oauth.customFetch]: providerFetch("signing keys", expect.timeoutMs),
      [oauth.allowInsecureRequests]: true,
      [oauth.jwksCache]: keySetCache(expect.jwksURI),
    });
  } catch (err) {
    throw signatureRefusal(err);
  }
  if (claims === undefined) throw signInRefused("The ID token is missing or malformed");
  // oauth4webapi does not refuse an iat in the future; a token "issued" an hour from now is not one to trust.
  if (claims.iat - CLOCK_SKEW_S > Math.floor(Date.now() / 1000)) throw signInRefused("The ID token is not valid yet");
  if (claims.sub === "") throw signInRefused("The ID token names no user");
  return claims as Record<string, unknown>;
}

// The accepted issuer the token claims, matching `{tenantid}` to its own tid literally (never as a pattern).
function acceptedIssuer(issuers: string[], claimed: Record<string, unknown>): string | undefined {
  const iss = typeof claimed.iss === "string" ? claimed.iss : undefined;
  const tid = typeof claimed.tid === "string" ? claimed.tid : undefined;
  if (iss === undefined) return undefined;
  return issuers.some((i) => i === iss || (tid !== undefined && i.split("{tenantid}").join(tid) === iss))
    ? iss
    : undefined;
}

function peekPayload(token: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw signInRefused("The ID token is malformed");
}

const CLAIM_REASONS: Record<string, string> = {
  iss: "The ID token was issued by another issuer",
  aud: "The ID token was issued for another client",
  azp: "The ID token was issued for another client",
  nonce: "The ID token belongs to another sign-in attempt",
};

// The library's claim errors as the reasons the frontend is told (never quoting the token).
function claimRefusal(err: unknown): Error {
  if (LatchkeyError.isErrorFromAuth(err)) return err;
  if (err instanceof oauth.UnsupportedOperationError) return signInRefused("The ID token's algorithm is not accepted");
  if (err instanceof oauth.OperationProcessingError) {
    const claim = String((err.cause as { claim?: unknown } | undefined)?.claim);
    if (err.code === oauth.JWT_TIMESTAMP_CHECK)
      return signInRefused(claim === "exp" ? "The ID token has expired" : "The ID token is not valid yet");
    if (err.code === oauth.JWT_CLAIM_COMPARISON)
      return signInRefused(CLAIM_REASONS[claim] ?? "The ID token was issued for another client");
    if (err.message.includes('"alg"')) return signInRefused("The ID token's algorithm is not accepted");
    if (err.message.includes('"sub"')) return signInRefused("The ID token names no user");
    if (err.message.includes('"nonce"')) return signInRefused("The ID token belongs to another sign-in attempt");
  }
  return signInRefused("The ID token is malformed");
}

// Key selection and signature errors are refusals; a key set the provider cannot serve is the provider's failure.
function signatureRefusal(err: unknown): Error {
  if (LatchkeyError.isErrorFromAuth(err)) return err;
  if (err instanceof oauth.UnsupportedOperationError) return signInRefused("The ID token's algorithm is not accepted");
  if (err instanceof oauth.OperationProcessingError) {
    if (err.code === oauth.KEY_SELECTION) return signInRefused("The ID token was signed by an unknown key");
    if (err.message.includes("signature")) return signInRefused("The ID token's signature is invalid");
  }
  return providerError("The login provider's signing keys are unavailable", err);
}
