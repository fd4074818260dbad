import type { IncomingMessage } from "node:http";
import { asJSONObject, assertJSONContentType, parseJSONObject, readBody } from "../body";
import { parseCookieHeader } from "../cookies";
import type { BaseRequest, HTTPMethod } from "../request";

/** The parts of an express request Latchkey reads; any node IncomingMessage works too. */
export type ExpressLikeRequest = IncomingMessage & { body?: unknown; originalUrl?: string };

/** Where a framework on node keeps what its own layers already did to the request. */
export interface NodeRequestSource {
  /** The body a parser of the framework's has read (undefined when none ran). */
  parsedBody?: () => unknown;
  /** The request target as the client sent it, before any mount rewrote `url`. */
  target?: () => string | undefined;
}

/** Adapts a node request (express's, Fastify's `request.raw`, Koa's `ctx.req`) to BaseRequest. */
export class NodeRequest implements BaseRequest {
  private target: RequestTarget | undefined;
  private cookies: Map<string, string> | undefined;
  private body: Promise<Record<string, unknown>> | undefined;

  /** Wraps the framework's request; `source` says where its parsed body and original target are. */
  constructor(
    readonly original: ExpressLikeRequest,
    private readonly source: NodeRequestSource = {},
  ) {}

  getMethod(): HTTPMethod {
    return (this.original.method ?? "get").toLowerCase() as HTTPMethod;
  }

  getPath(): string {
    return this.requestTarget().path;
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
    return this.requestTarget().query.get(name) ?? undefined;
  }

  getRemoteAddress(): string | undefined {
    return this.original.socket?.remoteAddress;
  }

  getJSONBody(): Promise<Record<string, unknown>> {
    this.body ??= this.readJSONBody();
    return this.body;
  }

  private async readJSONBody(): Promise<Record<string, unknown>> {
    const body = await this.readAnyBody();
    // An empty body carries nothing to forge; any other must say it is JSON, whichever parser read it.
    if (Object.keys(body).length > 0) assertJSONContentType(this.getHeader("content-type"));
    return body;
  }

  private async readAnyBody(): Promise<Record<string, unknown>> {
    const parsed = this.source.parsedBody !== undefined ? this.source.parsedBody() : this.original.body;
    // express.json() (or another parser) may have run already; otherwise the stream is still ours to read.
    if (typeof parsed === "string") return parseJSONObject(parsed);
    if (Buffer.isBuffer(parsed)) return parseJSONObject(parsed.toString("utf8"));
    if (parsed !== undefined && !(isEmptyObject(parsed) && !this.original.readableEnded)) return asJSONObject(parsed);
    return parseJSONObject(await readBody(this.original));
  }

  private requestTarget(): RequestTarget {
    // The path is matched against apiBasePath as the client sent it, wherever the middleware is mounted.
    this.target ??= splitRequestTarget(this.source.target?.() ?? this.original.originalUrl ?? this.original.url ?? "/");
    return this.target;
  }
}

/** The path and query of a request line's target. */
export interface RequestTarget {
  path: string;
  query: URLSearchParams;
}

/**
 * Splits a request target into path and query without resolving it as a URL: `new URL("//x/auth/y", base)` would
 * read "x" as a host (and throw on "//["), so a path express sees as "//x/auth/y" would be served as "/auth/y".
 * Only the absolute form ("http://host/path", allowed by HTTP/1.1) is parsed as a URL; one that does not parse
 * has the empty path, which matches no route.
 */
export function splitRequestTarget(target: string): RequestTarget {
  if (!target.startsWith("/")) {
    try {
      const url = new URL(target);
      return { path: url.pathname, query: url.searchParams };
    } catch {
      return { path: "", query: new URLSearchParams() };
    }
  }
  const beforeHash = target.split("#", 1)[0] ?? "";
  const q = beforeHash.indexOf("?");
  return q < 0
    ? { path: beforeHash, query: new URLSearchParams() }
    : { path: beforeHash.slice(0, q), query: new URLSearchParams(beforeHash.slice(q + 1)) };
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** Adapts an express request to BaseRequest: the body express.json() parsed, the target before app.use() mounts. */
export class ExpressRequest extends NodeRequest {}
