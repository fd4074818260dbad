import type { CookieOptions } from "./request";

/** Parses a Cookie header into a map; the first occurrence of a name wins. Malformed pieces are skipped. */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined) return cookies;
  for (const piece of header.split(";")) {
    const eq = piece.indexOf("=");
    if (eq <= 0) continue;
    const name = piece.slice(0, eq).trim();
    if (name === "" || cookies.has(name)) continue;
    let value = piece.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      // A value that is not valid percent-encoding cannot be one of ours; ignore it rather than fail the request.
    }
  }
  return cookies;
}

/** How many times a Cookie header names `name` (a browser sends one per matching domain and path). */
export function countCookies(header: string | undefined, name: string): number {
  if (header === undefined) return 0;
  let count = 0;
  for (const piece of header.split(";")) {
    const eq = piece.indexOf("=");
    if (eq > 0 && piece.slice(0, eq).trim() === name) count++;
  }
  return count;
}

/** Builds one Set-Cookie header value. */
export function serialiseCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path}`];
  parts.push(`Expires=${new Date(options.expires).toUTCString()}`);
  if (options.domain !== undefined) parts.push(`Domain=${options.domain}`);
  if (options.httpOnly) parts.push("HttpOnly");
  if (options.secure) parts.push("Secure");
  parts.push(`SameSite=${options.sameSite.charAt(0).toUpperCase()}${options.sameSite.slice(1)}`);
  return parts.join("; ");
}

/** `existing` with `value` appended as one more comma-separated item, or undefined when it is already one of them. */
export function appendedHeaderValue(existing: string, value: string): string | undefined {
  return existing.split(",").some((v) => v.trim() === value) ? undefined : `${existing}, ${value}`;
}

/**
 * The Set-Cookie list once `cookie` (named `name`) is set, from whatever the framework holds now (nothing, one
 * string, or a list): setting the same cookie twice in one response keeps only the last value.
 */
export function withCookie(existing: unknown, name: string, cookie: string): string[] {
  const list = Array.isArray(existing)
    ? existing.map(String)
    : existing === undefined || existing === null || existing === ""
      ? []
      : [String(existing)];
  return [...list.filter((c) => !c.startsWith(`${name}=`)), cookie];
}
