// The `type`s body-parser (and raw-body under it, which koa's co-body shares) gives its client errors: a body that
// is too big, malformed, aborted, or in a charset or encoding it cannot read.
const BODY_PARSER_TYPES: Record<string, string> = {
  "entity.too.large": "The request body is too large",
  "entity.parse.failed": "The request body is not valid JSON",
  "entity.verify.failed": "The request body was refused",
  "request.aborted": "The request body was not received in full",
  "request.size.invalid": "The request body does not match its Content-Length",
  "charset.unsupported": "The request body's charset is not supported",
  "encoding.unsupported": "The request body's Content-Encoding is not supported",
};

/** A body parser's client error: its 4xx status and its `type` (if any). */
export interface BodyParserError {
  status: number;
  type: unknown;
}

/** The message Latchkey answers a body parser's error with (never the parser's own text, which may echo input). */
export function bodyParserMessage(type: unknown): string {
  return (typeof type === "string" ? BODY_PARSER_TYPES[type] : undefined) ?? "The request body could not be read";
}

/**
 * True for body-parser's errors (http-errors): a 4xx with one of the types above, or exposed without a type (its
 * decompression errors, e.g. a corrupt gzip stream, carry none).
 */
export function isBodyParserError(err: unknown): err is BodyParserError {
  const e = err as { status?: unknown; type?: unknown; expose?: unknown } | null;
  if (typeof e !== "object" || e === null || typeof e.status !== "number" || e.status < 400 || e.status >= 500)
    return false;
  return (
    (typeof e.type === "string" && Object.hasOwn(BODY_PARSER_TYPES, e.type)) ||
    (e.type === undefined && e.expose === true)
  );
}
