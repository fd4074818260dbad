import type { ServerResponse } from "node:http";
import { answerError, makeUserContext, serveAuthRoute } from "../core";
import { type ExpressLikeRequest, ExpressRequest } from "./request";
import { ExpressResponse } from "./response";

export { ExpressRequest, ExpressResponse, makeUserContext };
export type { ExpressLikeRequest };

/** express's `next`. */
export type NextFunction = (err?: unknown) => void;

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
    try {
      if (!(await serveAuthRoute(new ExpressRequest(req), new ExpressResponse(res)))) next();
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
    // Anything not answered (not ours, before init, after the response started) goes on to express untouched.
    try {
      if (!(await answerError(err, new ExpressRequest(req), new ExpressResponse(res)))) next(err);
    } catch (handlerErr) {
      next(handlerErr);
    }
  };
}
