import { configError } from "./error";
import type { AppInfo, NormalisedAppInfo } from "./types";
import { assertKnownKeys, assertPlainObject } from "./validate";

const APP_INFO_KEYS = ["appName", "apiDomain", "websiteDomain", "apiBasePath", "websiteBasePath"];

/** Validates `appInfo` and returns it normalised: origins for domains, "" or "/a/b" for paths. */
export function normaliseAppInfo(input: unknown): NormalisedAppInfo {
  assertPlainObject("appInfo", input);
  assertKnownKeys("appInfo", input, APP_INFO_KEYS);
  const info = input as Partial<AppInfo>;
  if (typeof info.appName !== "string" || info.appName.trim() === "") {
    throw configError("appInfo.appName", "must be a non-empty string");
  }
  return {
    appName: info.appName.trim(),
    apiDomain: normaliseDomain("appInfo.apiDomain", info.apiDomain),
    websiteDomain: normaliseDomain("appInfo.websiteDomain", info.websiteDomain),
    apiBasePath: normaliseBasePath("appInfo.apiBasePath", info.apiBasePath ?? "/auth"),
    websiteBasePath: normaliseBasePath("appInfo.websiteBasePath", info.websiteBasePath ?? "/auth"),
  };
}

/** Turns "example.com", "https://example.com/" and the like into an origin such as "https://example.com". */
export function normaliseDomain(field: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw configError(field, "must be a non-empty string such as https://example.com");
  }
  const raw = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `${defaultScheme(raw)}://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    // Echoed only when it cannot carry credentials (user:password@host).
    throw configError(
      field,
      raw.includes("@") ? "is not a valid domain or URL" : `"${raw}" is not a valid domain or URL`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw configError(field, `must use http or https, not ${url.protocol.slice(0, -1)}`);
  }
  if (url.username !== "" || url.password !== "") {
    throw configError(field, "must not contain credentials");
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    throw configError(field, "must be an origin only (scheme, host, port); put a path in the base path options");
  }
  return url.origin;
}

function defaultScheme(hostPart: string): string {
  return /^(localhost|127\.|\[::1\])/i.test(hostPart) ? "http" : "https";
}

/** Turns "auth", "/auth/", "/" into "/auth", "/auth", "" (the root). */
export function normaliseBasePath(field: string, value: unknown): string {
  if (typeof value !== "string") throw configError(field, "must be a string such as /auth");
  const trimmed = value.trim();
  if (/[?#\s\\%]/.test(trimmed)) {
    throw configError(field, "must be a plain path such as /auth (no query, fragment, spaces or escapes)");
  }
  // Requests arrive with anything else percent-encoded (and paths are compared as sent), so such a path never matches.
  if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/.test(trimmed)) {
    throw configError(field, "must use only ASCII letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ /");
  }
  const segments = trimmed.split("/").filter((s) => s !== "");
  if (segments.some((s) => s === "." || s === "..")) throw configError(field, "must not contain . or .. segments");
  return segments.length === 0 ? "" : `/${segments.join("/")}`;
}
