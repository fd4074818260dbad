import type { ServerResponse } from "node:http";
import { serialiseCookie } from "../cookies";
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
      const values = String(existing)
        .split(",")
        .map((v) => v.trim());
      if (!values.includes(value)) this.original.setHeader(name, `${String(existing)}, ${value}`);
      return;
    }
    this.original.setHeader(name, value);
  }

  setCookie(name: string, value: string, options: CookieOptions): void {
    const cookie = serialiseCookie(name, value, options);
    const existing = this.original.getHeader("set-cookie");
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    // Setting the same cookie twice in one response keeps only the last value.
    const others = list.filter((c) => !c.startsWith(`${name}=`));
    this.original.setHeader("set-cookie", [...others, cookie]);
  }

  sendJSON(body: unknown): void {
    if (this.original.headersSent) return;
    this.original.setHeader("content-type", "application/json; charset=utf-8");
    this.original.end(JSON.stringify(body));
  }

  isSent(): boolean {
    return this.original.writableEnded || this.original.headersSent;
  }
}

/** Adapts an express response to BaseResponse. */
export class ExpressResponse extends NodeResponse {}
