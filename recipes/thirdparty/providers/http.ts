import { LatchkeyError } from "../../../lib/error";
import { isLoopback } from "../../../lib/net";
import { providerError } from "../error";

/** The most a provider's answer may weigh: discovery documents, JWKS and token answers are a few kB. */
const MAX_BYTES = 1024 * 1024;

/** An outbound call to a provider. */
export interface ProviderRequest {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: Record<string, unknown>;
  timeoutMs: number;
}

/** The JSON object a provider endpoint answered, and its status; network failures, timeouts and non-objects are errors. */
export async function providerJSON(
  url: string,
  request: ProviderRequest,
  what: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { status, body } = await providerAnyJSON(url, request, what);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw providerError(`The login provider sent an unreadable answer (${what})`);
  }
  return { status, body: body as Record<string, unknown> };
}

/** Any JSON value a provider endpoint answered (GitHub's lists), and its status. */
export async function providerAnyJSON(
  url: string,
  request: ProviderRequest,
  what: string,
): Promise<{ status: number; body: unknown }> {
  const init: RequestInit = {
    method: request.method ?? "GET",
    headers: {
      accept: "application/json",
      ...request.headers,
      ...(request.json === undefined ? {} : { "content-type": "application/json" }),
    },
    body: request.json === undefined ? undefined : JSON.stringify(request.json),
  };
  const { status, bytes } = await send(url, init, request.timeoutMs, what);
  try {
    return { status, body: JSON.parse(Buffer.from(bytes).toString("utf8")) as unknown };
  } catch {
    throw providerError(`The login provider sent an unreadable answer (${what})`);
  }
}

/**
 * A fetch for oauth4webapi's `customFetch`: the library does the protocol, this keeps Latchkey's limits on every
 * call it makes (timeout over the whole answer, 1 MB cap, no redirects), and turns a failure into a provider error.
 */
export function providerFetch(
  what: string,
  timeoutMs: number,
): (url: string, init: { method: string; headers: Record<string, string>; body?: unknown }) => Promise<Response> {
  return async (url, init) => {
    const { status, headers, bytes } = await send(
      url,
      { method: init.method, headers: init.headers, body: init.body as RequestInit["body"] },
      timeoutMs,
      what,
    );
    // A status Response cannot carry a body with (1xx, 204, 304) is passed on without one.
    const empty = status === 204 || status === 304 || status < 200;
    return new Response(empty ? null : bytes, { status, headers });
  };
}

async function send(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  what: string,
): Promise<{ status: number; headers: Headers; bytes: Uint8Array<ArrayBuffer> }> {
  // Endpoints carry the client secret and the user's tokens: https only, except on this machine. Configured URLs
  // are checked at init; this also covers the ones a discovery document names.
  const target = new URL(url);
  if (!(target.protocol === "https:" || (target.protocol === "http:" && isLoopback(target.hostname))))
    throw providerError(`The login provider's endpoint is not https (${what})`);
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      // A provider redirecting its API elsewhere is not followed: the configured endpoints are the trusted ones.
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw providerError(`The login provider could not be reached (${what})`, err);
  }
  const bytes = await readCapped(response, timeoutMs, what);
  return { status: response.status, headers: response.headers, bytes };
}

// The body with a size cap; the request's timeout signal also covers a body that trickles in forever.
async function readCapped(response: Response, timeoutMs: number, what: string): Promise<Uint8Array<ArrayBuffer>> {
  const reader = response.body?.getReader();
  if (reader === undefined) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (Date.now() > deadline) throw providerError(`The login provider took too long to answer (${what})`);
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BYTES) throw providerError(`The login provider sent an answer that is too large (${what})`);
      chunks.push(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    if (LatchkeyError.isErrorFromAuth(err)) throw err;
    throw providerError(`The login provider could not be reached (${what})`, err);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
