import type { FastifyReply } from "fastify";
import { appendedHeaderValue, serialiseCookie, withCookie } from "../cookies";
import type { BaseResponse, CookieOptions } from "../request";

/** Adapts a Fastify reply to BaseResponse: writes go through the reply, so Fastify's hooks and serialisers see them. */
export class FastifyResponse implements BaseResponse {
  /** Wraps the framework's reply. */
  constructor(readonly original: FastifyReply) {}

  setStatus(status: number): void {
    this.original.code(status);
  }

  setHeader(name: string, value: string, append = false): void {
    const existing = this.original.getHeader(name);
    if (append && existing !== undefined) {
      const appended = appendedHeaderValue(String(existing), value);
      if (appended !== undefined) this.original.header(name, appended);
      return;
    }
    this.original.header(name, value);
  }

  setCookie(name: string, value: string, options: CookieOptions): void {
    const cookies = withCookie(this.original.getHeader("set-cookie"), name, serialiseCookie(name, value, options));
    // Fastify's header("set-cookie", x) appends; removing first makes the list exactly ours.
    this.original.removeHeader("set-cookie");
    this.original.header("set-cookie", cookies);
  }

  sendJSON(body: unknown): void {
    this.sendText(JSON.stringify(body), "application/json; charset=utf-8");
  }

  sendText(body: string, contentType: string): void {
    if (this.isSent()) return;
    this.original.type(contentType).send(body);
  }

  isSent(): boolean {
    return this.original.sent || this.original.raw.headersSent;
  }
}
