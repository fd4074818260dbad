// The dashboard page and its two static files, read once from the static/ folder that ships beside this file
// (dist/recipes/dashboard/static in the package; `npm run build` copies it), with headers that lock the page down.
import fs from "node:fs";
import path from "node:path";
import type { BaseResponse } from "../../lib/framework/request";

/** The files the page is made of, by the name the page asks for them. */
const FILES = {
  page: { file: "index.html", type: "text/html; charset=utf-8" },
  script: { file: "app.js", type: "text/javascript; charset=utf-8" },
  styles: { file: "app.css", type: "text/css; charset=utf-8" },
} as const;

/**
 * Only this origin's script and styles, no inline code, no eval, no frames, no forms posted elsewhere, and the API
 * reached only on this origin: an injected string can neither run nor send anything out.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const cache = new Map<string, string>();

function read(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    text = fs.readFileSync(path.join(__dirname, "static", file), "utf8");
    cache.set(file, text);
  }
  return text;
}

/** Sends one of the page's files with the page's security headers. */
export function serveFile(res: BaseResponse, which: keyof typeof FILES, fill = (text: string) => text): void {
  const { file, type } = FILES[which];
  res.setHeader("content-security-policy", CONTENT_SECURITY_POLICY);
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "no-referrer");
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("cache-control", "no-cache");
  res.sendText(fill(read(file)), type);
}

/** Sends the page, its files' paths under the app's `apiBasePath` (a normalised path: letters, digits, "/", "-"...). */
export function servePage(res: BaseResponse, apiBasePath: string): void {
  serveFile(res, "page", (html) => html.replaceAll("{{base}}", escapeAttribute(apiBasePath)));
}

function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
