import type { Context } from "koa";
import { appendedHeaderValue, serialiseCookie, withCookie } from "../cookies";
import type { BaseResponse, CookieOptions } from "../request";

/** Adapts a Koa context's response to BaseResponse: writes go through `ctx`, so Koa sends them. */
export class KoaResponse implements BaseResponse {
  /** Wraps the framework's context. */
  constructor(readonly original: Context) {}

  setStatus(status: number): void {
    this.original.status = status;
  }

  setHeader(name: string, value: string, append = false): void {
    const existing = this.original.response.get(name);
    if (append && existing !== "" && existing !== undefined) {
      const appended = appendedHeaderValue(String(existing), value);
      if (appended !== undefined) this.original.set(name, appended);
      return;
    }
    this.original.set(name, value);
  }

  setCookie(name: string, value: string, options: CookieOptions): void {
    const cookie = serialiseCookie(name, value, options);
    this.original.set("set-cookie", withCookie(this.original.response.get("set-cookie"), name, cookie));
  }

  sendJSON(body: unknown): void {
    this.sendText(JSON.stringify(body), "application/json; charset=utf-8");
  }

  sendText(body: string, contentType: string): void {
    if (this.isSent()) return;
    // Setting the body after the status keeps the status (Koa sets 200 only while the status is still its default 404).
    this.original.type = contentType;
    this.original.body = body;
    this.sent = true;
  }

  isSent(): boolean {
    return this.sent || this.original.headerSent;
  }

  private sent = false;
}
