import crypto from "node:crypto";
import { randomSecret, sameSecret, sha256 } from "../../lib/secrets";

/** A refresh token taken apart: the session it belongs to, the hash1 of the token it replaced, and its MAC. */
export interface ParsedRefreshToken {
  sessionHandle: string;
  parentHash1: string | undefined;
  body: string;
  mac: string;
}

/** The value the database keeps for a refresh token: hash2 = sha256(sha256(token)); access tokens carry hash2 values. */
export function hash2(token: string): string {
  return sha256(sha256(token));
}

/** A new per-session secret that keys the MAC of the session's refresh tokens. */
export function newRefreshTokenSecret(): string {
  return randomSecret(32, "hex");
}

function mac(secret: string, body: string): string {
  return crypto.createHmac("sha256", secret).update(body).digest("base64url");
}

/**
 * A new refresh token: `<handle>.<parent hash1 or ->.<256 random bits>.<MAC>`. The parent's hash1 (known only to a
 * holder of the parent; access tokens carry hash2 values) lets a child be accepted before its access token was used.
 * The MAC, keyed by a secret that never leaves the database, means only tokens the server issued can ever be taken
 * for a replayed one: a made-up token with a known handle is merely invalid, it cannot revoke anyone's session.
 */
export function createRefreshToken(sessionHandle: string, parentToken: string | undefined, secret: string): string {
  const parent = parentToken === undefined ? "-" : sha256(parentToken);
  const body = `${sessionHandle}.${parent}.${randomSecret(32)}`;
  return `${body}.${mac(secret, body)}`;
}

/** Parses a refresh token; undefined when it does not have the shape of one Latchkey issues. */
export function parseRefreshToken(token: string): ParsedRefreshToken | undefined {
  const parts = token.split(".");
  if (parts.length !== 4) return undefined;
  const [handle, parent, random, tag] = parts as [string, string, string, string];
  if (!/^[0-9a-f-]{36}$/.test(handle) || !/^[A-Za-z0-9_-]{43}$/.test(random) || !/^[A-Za-z0-9_-]{43}$/.test(tag))
    return undefined;
  if (parent !== "-" && !/^[0-9a-f]{64}$/.test(parent)) return undefined;
  return {
    sessionHandle: handle,
    parentHash1: parent === "-" ? undefined : parent,
    body: `${handle}.${parent}.${random}`,
    mac: tag,
  };
}

/** True when the token's MAC was made with this session's secret (constant time). */
export function hasValidMac(token: ParsedRefreshToken, secret: string): boolean {
  return sameSecret(token.mac, mac(secret, token.body));
}
