import { appendedHeaderValue, serialiseCookie, withCookie } from "./cookies";
import type { BaseResponse, CookieOptions } from "./request";

/**
 * A BaseResponse that collects what Latchkey writes (status, headers, cookies, a JSON body) for a framework that
 * builds its response afterwards: a Web `Response` (fetch, Hono, Next.js), or the headers an app adds to its own.
 * Writes after `sendJSON` (a session method called later in the app's handler) still reach `headers`.
 */
export class HeadersResponse implements BaseResponse {
  /** Every header written so far, Set-Cookie included (one entry per cookie). */
  readonly headers: Headers = new Headers();
  private status = 200;
  private body: string | undefined;

  /** The response is built by the caller; there is no framework object. */
  readonly original: undefined = undefined;

  setStatus(status: number): void {
    this.status = status;
  }

  setHeader(name: string, value: string, append = false): void {
    const existing = this.headers.get(name);
    if (append && existing !== null) {
      const appended = appendedHeaderValue(existing, value);
      if (appended !== undefined) this.headers.set(name, appended);
      return;
    }
    this.headers.set(name, value);
  }

  setCookie(name: string, value: string, options: CookieOptions): void {
    const cookies = withCookie(this.headers.getSetCookie(), name, serialiseCookie(name, value, options));
    this.headers.delete("set-cookie");
    for (const c of cookies) this.headers.append("set-cookie", c);
  }

  sendJSON(body: unknown): void {
    this.sendText(JSON.stringify(body), "application/json; charset=utf-8");
  }

  sendText(body: string, contentType: string): void {
    if (this.body !== undefined) return;
    this.headers.set("content-type", contentType);
    this.body = body;
  }

  isSent(): boolean {
    return this.body !== undefined;
  }

  /** The status set so far (200 unless Latchkey set one). */
  getStatus(): number {
    return this.status;
  }

  /** The JSON text sent, or undefined when nothing was. */
  getBody(): string | undefined {
    return this.body;
  }

  /** The Web Response of what was sent (a HEAD request gets no body). */
  toResponse(): Response {
    return new Response(this.body ?? null, { status: this.status, headers: this.headers });
  }
}

/** Adds headers Latchkey wrote (refreshed tokens, cleared cookies) to another set, keeping each Set-Cookie apart. */
export function appendHeaders(target: Headers, source: Headers): void {
  for (const cookie of source.getSetCookie()) target.append("set-cookie", cookie);
  source.forEach((value, name) => {
    if (name !== "set-cookie") target.set(name, value);
  });
}
