import type { IncomingMessage } from "node:http";
import { asJSONObject, parseJSONObject, readBody } from "../body";
import { parseCookieHeader } from "../cookies";
import type { BaseRequest, HTTPMethod } from "../request";

/** The parts of an express request Latchkey reads; any node IncomingMessage works too. */
export type ExpressLikeRequest = IncomingMessage & { body?: unknown; originalUrl?: string };

/** Adapts an express request to BaseRequest. */
export class ExpressRequest implements BaseRequest {
  private url: URL | undefined;
  private cookies: Map<string, string> | undefined;
  private body: Promise<Record<string, unknown>> | undefined;

  /** Wraps the framework's request. */
  constructor(readonly original: ExpressLikeRequest) {}

  getMethod(): HTTPMethod {
    return (this.original.method ?? "get").toLowerCase() as HTTPMethod;
  }

  getPath(): string {
    return this.parsedUrl().pathname;
  }

  getHeader(name: string): string | undefined {
    const value = this.original.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  getCookie(name: string): string | undefined {
    this.cookies ??= parseCookieHeader(this.getHeader("cookie"));
    return this.cookies.get(name);
  }

  getQuery(name: string): string | undefined {
    return this.parsedUrl().searchParams.get(name) ?? undefined;
  }

  getRemoteAddress(): string | undefined {
    return this.original.socket?.remoteAddress;
  }

  getJSONBody(): Promise<Record<string, unknown>> {
    this.body ??= this.readJSONBody();
    return this.body;
  }

  private async readJSONBody(): Promise<Record<string, unknown>> {
    const parsed = this.original.body;
    // express.json() (or another parser) may have run already; otherwise the stream is still ours to read.
    if (typeof parsed === "string") return parseJSONObject(parsed);
    if (Buffer.isBuffer(parsed)) return parseJSONObject(parsed.toString("utf8"));
    if (parsed !== undefined && !(isEmptyObject(parsed) && !this.original.readableEnded)) return asJSONObject(parsed);
    return parseJSONObject(await readBody(this.original));
  }

  private parsedUrl(): URL {
    // The path is matched against apiBasePath as the client sent it, wherever the middleware is mounted.
    this.url ??= new URL(this.original.originalUrl ?? this.original.url ?? "/", "http://localhost");
    return this.url;
  }
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}
