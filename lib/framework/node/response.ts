import type { ServerResponse } from "node:http";
import { appendedHeaderValue, serialiseCookie, withCookie } from "../cookies";
import type { BaseResponse, CookieOptions } from "../request";

/** Adapts a node response (express's, or a plain node:http one) to BaseResponse. */
export class NodeResponse implements BaseResponse {
  /** Wraps the framework's response. */
  constructor(readonly original: ServerResponse) {}

  setStatus(status: number): void {
    this.original.statusCode = status;
  }

  setHeader(name: string, value: string, append = false): void {
    const existing = this.original.getHeader(name);
    if (append && existing !== undefined) {
      const appended = appendedHeaderValue(String(existing), value);
      if (appended !== undefined) this.original.setHeader(name, appended);
      return;
    }
    this.original.setHeader(name, value);
  }

  setCookie(name: string, value: string, options: CookieOptions): void {
    const cookie = serialiseCookie(name, value, options);
    this.original.setHeader("set-cookie", withCookie(this.original.getHeader("set-cookie"), name, cookie));
  }

  sendJSON(body: unknown): void {
    this.sendText(JSON.stringify(body), "application/json; charset=utf-8");
  }

  sendText(body: string, contentType: string): void {
    if (this.original.headersSent) return;
    this.original.setHeader("content-type", contentType);
    this.original.end(body);
  }

  isSent(): boolean {
    return this.original.writableEnded || this.original.headersSent;
  }
}

/** Adapts an express response to BaseResponse. */
export class ExpressResponse extends NodeResponse {}
