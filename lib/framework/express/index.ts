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

/** express middleware that serves every Latchkey route under apiBasePath and calls `next()` for the rest. */
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

/** express error handler: answers LatchkeyErrors (from verifySession, your routes, ...) as the recipes define. */
export function errorHandler(): (err: unknown, req: ExpressLikeRequest, res: ServerResponse, next: NextFunction) => Promise<void> {
  return async (err, req, res, next) => {
    const request = new ExpressRequest(req);
    const response = new ExpressResponse(res);
    try {
      const latchkey = Latchkey.getInstanceOrThrow();
      if (LatchkeyError.isErrorFromAuth(err)) {
        if (!(await latchkey.handleError(err, request, response, makeUserContext(request)))) next(err);
        return;
      }
      // express.json() fails before our middleware runs when an auth route gets a body it cannot read (malformed,
      // too large, an unknown charset or content encoding, a corrupt gzip stream): answer it as ours, never a 500.
      if (isBodyParserError(err) && pathUnderBase(latchkey.appInfo.apiBasePath, request.getPath()) !== undefined) {
        response.setStatus(err.status);
        response.sendJSON({ message: bodyErrorMessage(err.type) });
        return;
      }
      next(err);
    } catch (handlerErr) {
      next(handlerErr);
    }
  };
}

// body-parser's errors are http-errors: a 4xx status with expose set (its decompression errors carry no type).
function isBodyParserError(err: unknown): err is { status: number; type: unknown } {
  const e = err as { status?: unknown; type?: unknown; expose?: unknown } | null;
  if (typeof e !== "object" || e === null || typeof e.status !== "number" || e.status < 400 || e.status >= 500) return false;
  return (typeof e.type === "string" && /^(entity|charset|encoding)\./.test(e.type)) || e.expose === true;
}

function bodyErrorMessage(type: unknown): string {
  if (type === "entity.too.large") return "The request body is too large";
  if (type === "entity.parse.failed") return "The request body is not valid JSON";
  if (type === "charset.unsupported" || type === "encoding.unsupported") return "The request body's charset or content encoding is not supported";
  return "The request body could not be read";
}
