import type { FastifyReply } from "fastify";
import { serialiseCookie } from "../cookies";
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
      const values = String(existing)
        .split(",")
        .map((v) => v.trim());
      if (!values.includes(value)) this.original.header(name, `${String(existing)}, ${value}`);
      return;
    }
    this.original.header(name, value);
  }

  setCookie(name: string, value: string, options: CookieOptions): void {
    const cookie = serialiseCookie(name, value, options);
    const existing = this.original.getHeader("set-cookie");
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
    // Setting the same cookie twice in one response keeps only the last value.
    const others = list.filter((c) => !c.startsWith(`${name}=`));
    // Fastify's header("set-cookie", x) appends; removing first makes the list exactly ours.
    this.original.removeHeader("set-cookie");
    this.original.header("set-cookie", [...others, cookie]);
  }

  sendJSON(body: unknown): void {
    if (this.isSent()) return;
    this.original.type("application/json; charset=utf-8").send(JSON.stringify(body));
  }

  isSent(): boolean {
    return this.original.sent || this.original.raw.headersSent;
  }
}
