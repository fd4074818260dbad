import { LatchkeyError } from "../../../lib/error";
import { providerError } from "../error";

/** The most a provider's answer may weigh: discovery documents and JWKS are a few kB. */
const MAX_BYTES = 1024 * 1024;

/** An outbound call to a provider. */
export interface ProviderRequest {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
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
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? "GET",
      headers: {
        accept: "application/json",
        ...request.headers,
        ...(request.form === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
        ...(request.json === undefined ? {} : { "content-type": "application/json" }),
      },
      body:
        request.form !== undefined
          ? new URLSearchParams(request.form).toString()
          : request.json === undefined
            ? undefined
            : JSON.stringify(request.json),
      // A provider redirecting its API elsewhere is not followed: the configured endpoints are the trusted ones.
      redirect: "error",
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (err) {
    throw providerError(`The login provider could not be reached (${what})`, err);
  }
  const text = await readCapped(response, request.timeoutMs, what);
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    throw providerError(`The login provider sent an unreadable answer (${what})`);
  }
}

// The body with a size cap; the request's timeout signal also covers a body that trickles in forever.
async function readCapped(response: Response, timeoutMs: number, what: string): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return "";
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
  return Buffer.concat(chunks).toString("utf8");
}
