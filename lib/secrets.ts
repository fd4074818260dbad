import crypto from "node:crypto";

/** Compares two secrets (tokens, hashes, MACs) in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** sha256 of a string (UTF-8), as hex by default: how Latchkey stores every token it hands out. */
export function sha256(value: string, encoding: "hex" | "base64url" = "hex"): string {
  return crypto.createHash("sha256").update(value).digest(encoding);
}

/** A new random secret of `bytes` bytes (default 32: 256 bits), base64url unless asked for hex. */
export function randomSecret(bytes = 32, encoding: "base64url" | "hex" = "base64url"): string {
  return crypto.randomBytes(bytes).toString(encoding);
}
