import * as oauth from "oauth4webapi";
import { sha256 } from "../../../lib/secrets";

/** A PKCE code verifier (oauth4webapi's: 256 random bits, base64url; RFC 7636 allows 43 to 128 characters). */
export function newCodeVerifier(): string {
  return oauth.generateRandomCodeVerifier();
}

/** The S256 challenge of a verifier. */
export function codeChallenge(verifier: string): Promise<string> {
  return oauth.calculatePKCECodeChallenge(verifier);
}

/**
 * The OpenID nonce of a flow, derived from its verifier: the ID token is then bound to the browser holding the
 * verifier, with nothing stored on the server. The provider only ever sees the challenge, from which this cannot be
 * computed.
 */
export function nonceFor(verifier: string): string {
  return sha256(`latchkey-oidc-nonce:${verifier}`, "base64url");
}

/** True when `verifier` has the shape RFC 7636 requires. */
export function isCodeVerifier(verifier: unknown): verifier is string {
  return typeof verifier === "string" && /^[A-Za-z0-9\-._~]{43,128}$/.test(verifier);
}
