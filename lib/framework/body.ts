import type { IncomingMessage } from "node:http";
import { badInput } from "../error";

/** The largest request body Latchkey reads; its routes take small JSON forms. */
export const MAX_BODY_BYTES = 100 * 1024;

/** Parses a body that is already text (or was read by us) as a JSON object; `{}` when empty. */
export function parseJSONObject(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badInput("The request body is not valid JSON");
  }
  return asJSONObject(value);
}

// application/json, any case, with or without parameters (charset): what the SuperTokens SDKs send. Anything else a
// browser can send cross-site without a preflight (text/plain, a form encoding, no type at all from a Blob body).
const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Refuses a non-empty body that is not declared as JSON: a cross-site `<form enctype="text/plain">` or a no-cors
 * fetch can carry a JSON-looking body, but only a same-origin script (or an allowed CORS preflight) can say
 * application/json, so this stops login CSRF on every route that reads a body, whatever the session transfer method.
 */
export function assertJSONContentType(contentType: string | undefined): void {
  if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType.trim())) {
    throw badInput("The request body must be sent with Content-Type: application/json");
  }
}

/** Checks that an already-parsed body is a JSON object. */
export function asJSONObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badInput("The request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** Reads a request stream that nothing has consumed yet, up to MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<string> {
  // Only `readableEnded` says someone else consumed the body: `complete` is also true when the whole body has
  // arrived but still waits, unread, in the stream's buffer (e.g. behind an async middleware).
  if (req.readableEnded) return Promise.resolve("");
  // A client that went away before the body was read: no event would ever settle the promise below.
  if (req.destroyed) return Promise.reject(badInput("The request body was not received in full"));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        cleanup();
        req.resume();
        reject(badInput(`The request body is larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onError = (): void => {
      cleanup();
      reject(badInput("The request body could not be read"));
    };
    // "close" before "end": the client disconnected mid-body (destroy() without an error emits no "error").
    const onClose = (): void => {
      cleanup();
      reject(badInput("The request body was not received in full"));
    };
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
    // A stream that something paused would never emit "data" for our listener.
    req.resume();
  });
}
