import { assertJSONContentType, MAX_BODY_BYTES, parseJSONObject } from "../body";
import { badInput } from "../../error";
import { parseCookieHeader } from "../cookies";
import { splitRequestTarget, type RequestTarget } from "../node/request";
import type { BaseRequest, HTTPMethod } from "../request";

/** What a server knows of a request that a Web Request does not carry. */
export interface FetchConnection {
  /**
   * The request line's target as the client sent it (node's `req.url`): a Request's URL has dot segments already
   * resolved, and Latchkey matches paths as sent.
   */
  rawTarget?: string;
  /** The peer's address (node's `req.socket.remoteAddress`): rate limits per address need it. */
  remoteAddress?: string;
}

/** Adapts a Web `Request` (fetch, Hono, Next.js, Deno, Bun) to BaseRequest. */
export class FetchRequest implements BaseRequest {
  private target: RequestTarget | undefined;
  private cookies: Map<string, string> | undefined;
  private body: Promise<Record<string, unknown>> | undefined;

  /** Wraps the request; `connection` says what the server knows of it beyond the Request (see FetchConnection). */
  constructor(
    readonly original: Request,
    private readonly connection: FetchConnection = {},
  ) {}

  getRemoteAddress(): string | undefined {
    return this.connection.remoteAddress;
  }

  getMethod(): HTTPMethod {
    return this.original.method.toLowerCase() as HTTPMethod;
  }

  getPath(): string {
    return this.requestTarget().path;
  }

  getHeader(name: string): string | undefined {
    // Headers joins a repeated header with ", ", as node does for all but a few (which Latchkey does not read).
    return this.original.headers.get(name) ?? undefined;
  }

  getCookie(name: string): string | undefined {
    this.cookies ??= parseCookieHeader(this.original.headers.get("cookie") ?? undefined);
    return this.cookies.get(name);
  }

  getQuery(name: string): string | undefined {
    return this.requestTarget().query.get(name) ?? undefined;
  }

  getJSONBody(): Promise<Record<string, unknown>> {
    this.body ??= this.readJSONBody();
    return this.body;
  }

  private async readJSONBody(): Promise<Record<string, unknown>> {
    const text = await readRequestText(this.original);
    // An empty body carries nothing to forge; any other must say it is JSON.
    const body = parseJSONObject(text);
    if (Object.keys(body).length > 0) assertJSONContentType(this.getHeader("content-type"));
    return body;
  }

  private requestTarget(): RequestTarget {
    if (this.target === undefined) {
      if (this.connection.rawTarget !== undefined) this.target = splitRequestTarget(this.connection.rawTarget);
      else {
        const url = new URL(this.original.url);
        this.target = { path: url.pathname, query: url.searchParams };
      }
    }
    return this.target;
  }
}

/** Reads a Request's body as text, up to MAX_BODY_BYTES; a body someone else consumed reads as empty (as on node). */
async function readRequestText(request: Request): Promise<string> {
  if (request.body === null || request.bodyUsed) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        void reader.cancel().catch(() => undefined);
        throw badInput(`The request body is larger than ${MAX_BODY_BYTES} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (size > MAX_BODY_BYTES) throw err;
    throw badInput("The request body was not received in full");
  }
  return Buffer.concat(chunks).toString("utf8");
}
