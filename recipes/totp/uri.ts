import type { TOTPParameters } from "./otp";

/**
 * The otpauth:// URI authenticator apps read from a QR code (Google Authenticator's Key Uri Format): the label
 * "issuer:account" percent-encoded, then secret, issuer, algorithm, digits and period as query parameters. Built with
 * URLSearchParams rather than a library: the format is one path and five parameters, and the libraries that build it
 * (e.g. `otpauth`) each bring a second TOTP implementation into the runtime, which this recipe does not need.
 */
export function otpauthURI(input: { issuer: string; account: string; secretBase32: string } & TOTPParameters): string {
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.account)}`;
  const query = new URLSearchParams({
    secret: input.secretBase32,
    issuer: input.issuer,
    algorithm: input.algorithm,
    digits: String(input.digits),
    period: String(input.period),
  });
  // URLSearchParams writes a space as "+", which some authenticator apps show literally; %20 is read by all.
  return `otpauth://totp/${label}?${query.toString().replace(/\+/g, "%20")}`;
}
