/** A parsed Set-Cookie. */
export interface SetCookie {
  name: string;
  value: string;
  path: string;
  expires: number | undefined;
  attributes: Record<string, string | true>;
}

/** A reply with its JSON body (or the raw text) and the cookies it set. */
export interface Reply {
  status: number;
  json: Record<string, unknown>;
  headers: Headers;
  setCookies: SetCookie[];
}

/** Parses one Set-Cookie header value. */
export function parseSetCookie(line: string): SetCookie {
  const [pair = "", ...rest] = line.split(";");
  const eq = pair.indexOf("=");
  const attributes: Record<string, string | true> = {};
  for (const attr of rest) {
    const [k = "", ...v] = attr.trim().split("=");
    attributes[k.toLowerCase()] = v.length === 0 ? true : v.join("=");
  }
  const expires = typeof attributes.expires === "string" ? Date.parse(attributes.expires) : undefined;
  return {
    name: pair.slice(0, eq).trim(),
    value: decodeURIComponent(pair.slice(eq + 1).trim()),
    path: typeof attributes.path === "string" ? attributes.path : "/",
    expires,
    attributes,
  };
}

/** A client with a cookie jar that honours cookie paths and deletion, as a browser does (one host). */
export class HttpClient {
  readonly jar = new Map<string, SetCookie>();
  /** Headers sent with every request (e.g. st-auth-mode, rid). */
  defaultHeaders: Record<string, string> = {};

  constructor(readonly baseUrl: string) {}

  /** Sends a request with the cookies whose path matches; stores the cookies the reply sets. */
  async request(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; cookies?: boolean } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...this.defaultHeaders, ...(options.headers ?? {}) };
    const pathname = new URL(path, this.baseUrl).pathname;
    if (options.cookies !== false) {
      const cookie = [...this.jar.values()]
        .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`))
        .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
        .join("; ");
      if (cookie !== "") headers.cookie = cookie;
    }
    if (options.body !== undefined) headers["content-type"] ??= "application/json";
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body:
        options.body === undefined
          ? undefined
          : typeof options.body === "string"
            ? options.body
            : JSON.stringify(options.body),
    });
    const setCookies = res.headers.getSetCookie().map(parseSetCookie);
    for (const c of setCookies) {
      if (c.value === "" || (c.expires !== undefined && c.expires <= Date.now())) this.jar.delete(c.name);
      else this.jar.set(c.name, c);
    }
    const text = await res.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { nonJSON: text };
    }
    return { status: res.status, json, headers: res.headers, setCookies };
  }

  /** A cookie's current value. */
  cookie(name: string): string | undefined {
    return this.jar.get(name)?.value;
  }
}

/** Decodes the front-token header the SDKs read. */
export function decodeFrontToken(value: string | null): { uid: string; ate: number; up: Record<string, unknown> } {
  if (value === null) throw new Error("no front-token header");
  return JSON.parse(Buffer.from(value, "base64").toString("utf8")) as {
    uid: string;
    ate: number;
    up: Record<string, unknown>;
  };
}

/** Decodes a JWT's payload without verifying it (tests look inside tokens). */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}
