import type { ServerResponse } from "node:http";
import { LatchkeyError } from "../../error";
import { Latchkey } from "../../latchkey";
import { pathUnderBase } from "../../router";
import type { UserContext } from "../../types";
import { type ExpressLikeRequest, ExpressRequest } from "./request";
import { ExpressResponse } from "./response";

export { ExpressRequest, ExpressResponse };
export type { ExpressLikeRequest };

/** express's `next`. */
export type NextFunction = (err?: unknown) => void;

/** The userContext of a request that came through HTTP: the request is under `_default.request`. */
export function makeUserContext(request: ExpressRequest): UserContext {
  return { _default: { request } };
}

/**
 * express middleware that serves every Latchkey route under apiBasePath and calls `next()` for the rest.
 *
 * @example
 * ```ts
 * app.use(express.json());
 * app.use(middleware()); // before your routes: POST /auth/signin, /auth/session/refresh, ...
 * ```
 */
export function middleware(): (req: ExpressLikeRequest, res: ServerResponse, next: NextFunction) => Promise<void> {
  return async (req, res, next) => {
    const request = new ExpressRequest(req);
    const response = new ExpressResponse(res);
    try {
      const latchkey = Latchkey.getInstanceOrThrow();
      if (!(await latchkey.handleRequest(request, response, makeUserContext(request)))) next();
    } catch (err) {
      next(err);
    }
  };
}

/**
 * express error handler: answers LatchkeyErrors (from verifySession, your routes, ...) as the recipes define.
 *
 * @example
 * ```ts
 * // ... your routes ...
 * app.use(errorHandler()); // after them: a refused session is a 401, not express's 500
 * ```
 */
export function errorHandler(): (
  err: unknown,
  req: ExpressLikeRequest,
  res: ServerResponse,
  next: NextFunction,
) => Promise<void> {
  return async (err, req, res, next) => {
    // Once a response has started it cannot become ours: express's own handler then closes the connection,
    // where answering here would do nothing and leave the client waiting.
    if (res.headersSent) return next(err);
    // An error is passed on untouched when it is not one to answer, or before init (looking Latchkey up would
    // replace it with NOT_INITIALISED).
    if (!LatchkeyError.isErrorFromAuth(err) && !isBodyParserError(err)) return next(err);
    const latchkey = Latchkey.instanceIfInitialised();
    if (latchkey === undefined) return next(err);
    const request = new ExpressRequest(req);
    const response = new ExpressResponse(res);
    try {
      if (LatchkeyError.isErrorFromAuth(err)) {
        if (!(await latchkey.handleError(err, request, response, makeUserContext(request)))) next(err);
        return;
      }
      // express.json() fails before our middleware runs when an auth route gets a body it cannot read (malformed,
      // too large, an unknown charset or content encoding, a corrupt gzip stream): answer it as ours, never a 500.
      if (pathUnderBase(latchkey.appInfo.apiBasePath, request.getPath()) !== undefined) {
        response.setStatus(err.status);
        response.sendJSON({ message: bodyParserMessage(err.type) });
        return;
      }
      next(err);
    } catch (handlerErr) {
      next(handlerErr);
    }
  };
}

// The `type`s body-parser (and raw-body under it) gives its client errors: a body that is too big, malformed,
// aborted, or in a charset or encoding it cannot read.
const BODY_PARSER_TYPES: Record<string, string> = {
  "entity.too.large": "The request body is too large",
  "entity.parse.failed": "The request body is not valid JSON",
  "entity.verify.failed": "The request body was refused",
  "request.aborted": "The request body was not received in full",
  "request.size.invalid": "The request body does not match its Content-Length",
  "charset.unsupported": "The request body's charset is not supported",
  "encoding.unsupported": "The request body's Content-Encoding is not supported",
};

function bodyParserMessage(type: unknown): string {
  return (typeof type === "string" ? BODY_PARSER_TYPES[type] : undefined) ?? "The request body could not be read";
}

// body-parser's errors are http-errors: a 4xx with one of the types above, or exposed without a type (its
// decompression errors, e.g. a corrupt gzip stream, carry none).
function isBodyParserError(err: unknown): err is { status: number; type: unknown } {
  const e = err as { status?: unknown; type?: unknown; expose?: unknown } | null;
  if (typeof e !== "object" || e === null || typeof e.status !== "number" || e.status < 400 || e.status >= 500)
    return false;
  return (
    (typeof e.type === "string" && Object.hasOwn(BODY_PARSER_TYPES, e.type)) ||
    (e.type === undefined && e.expose === true)
  );
}
