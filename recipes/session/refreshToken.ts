import crypto from "node:crypto";

/** A refresh token taken apart: the session it belongs to and the first hash of the token it replaced. */
export interface ParsedRefreshToken {
  sessionHandle: string;
  parentHash1: string | undefined;
}

/** sha256 as hex. Refresh tokens are stored as hash2 = sha256(sha256(token)); access tokens carry hash2 values. */
export function sha256(value: string): string {
  return crypto.createHash("sha256").update(value).digest("hex");
}

/** The value the database keeps for a refresh token. */
export function hash2(token: string): string {
  return sha256(sha256(token));
}

/**
 * A new refresh token: `<handle>.<parent hash1 or ->.<256 random bits>`. Carrying the parent's hash1 (which only
 * a holder of the parent knows; access tokens carry hash2 values only) lets the server accept a child whose
 * parent is current before the child's access token was ever used.
 */
export function createRefreshToken(sessionHandle: string, parentToken: string | undefined): string {
  const parent = parentToken === undefined ? "-" : sha256(parentToken);
  return `${sessionHandle}.${parent}.${crypto.randomBytes(32).toString("base64url")}`;
}

/** Parses a refresh token; undefined when it is not one Latchkey issues. */
export function parseRefreshToken(token: string): ParsedRefreshToken | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [handle, parent, random] = parts as [string, string, string];
  if (!/^[0-9a-f-]{36}$/.test(handle) || !/^[A-Za-z0-9_-]{43}$/.test(random)) return undefined;
  if (parent !== "-" && !/^[0-9a-f]{64}$/.test(parent)) return undefined;
  return { sessionHandle: handle, parentHash1: parent === "-" ? undefined : parent };
}

/** Compares two hex digests in constant time. */
export function sameHash(a: string, b: string): boolean {
  return a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
