import { serialiseCookie } from "./cookies";
import type { BaseResponse, CookieOptions } from "./request";

/**
 * A BaseResponse that collects what Latchkey writes (status, headers, cookies, a JSON body) for a framework that
 * builds its response afterwards: a Web `Response` (fetch, Hono, Next.js), or the headers an app adds to its own.
 * Writes after `sendJSON` (a session method called later in the app's handler) still reach `headers`.
 */
export class HeadersResponse implements BaseResponse {
  /** Every header written so far, Set-Cookie included (one entry per cookie). */
  readonly headers = new Headers();
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
      if (!existing.split(",").some((v) => v.trim() === value)) this.headers.set(name, `${existing}, ${value}`);
      return;
    }
    this.headers.set(name, value);
  }

  setCookie(name: string, value: string, options: CookieOptions): void {
    // Setting the same cookie twice in one response keeps only the last value.
    const others = this.headers.getSetCookie().filter((c) => !c.startsWith(`${name}=`));
    this.headers.delete("set-cookie");
    for (const c of others) this.headers.append("set-cookie", c);
    this.headers.append("set-cookie", serialiseCookie(name, value, options));
  }

  sendJSON(body: unknown): void {
    if (this.body !== undefined) return;
    this.headers.set("content-type", "application/json; charset=utf-8");
    this.body = JSON.stringify(body);
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
