import { LatchkeyError } from "../error";
import { Latchkey } from "../latchkey";
import { pathUnderBase } from "../router";
import type { UserContext } from "../types";
import { bodyParserMessage, isBodyParserError } from "./bodyParserErrors";
import type { BaseRequest, BaseResponse } from "./request";

// What every framework adapter does, over BaseRequest/BaseResponse: each adapter only wraps its framework's request
// and response and says, in its own idiom, what to do when Latchkey does not answer.

/** The userContext of a request that came through HTTP: the request is under `_default.request`. */
export function makeUserContext(request: BaseRequest): UserContext {
  return { _default: { request } };
}

/** Serves the request if it is one of Latchkey's routes; false when it is not (the adapter moves on). */
export function serveAuthRoute(request: BaseRequest, response: BaseResponse): Promise<boolean> {
  return Latchkey.getInstanceOrThrow().handleRequest(request, response, makeUserContext(request));
}

/**
 * Answers an error the way express's errorHandler does: a LatchkeyError as its recipe defines, a body parser's
 * failure on an auth route with its 4xx and a fixed message. False when the error is not one to answer here: not
 * ours, raised after the response started, or before Latchkey.init() (looking Latchkey up would replace it with
 * NOT_INITIALISED). May throw if answering fails.
 */
export async function answerError(err: unknown, request: BaseRequest, response: BaseResponse): Promise<boolean> {
  // Once a response has started it cannot become ours: the framework then closes the connection.
  if (response.isSent()) return false;
  if (!LatchkeyError.isErrorFromAuth(err) && !isBodyParserError(err)) return false;
  const latchkey = Latchkey.instanceIfInitialised();
  if (latchkey === undefined) return false;
  if (LatchkeyError.isErrorFromAuth(err)) return latchkey.handleError(err, request, response, makeUserContext(request));
  // A framework's body parser failed before our middleware ran, on an auth route with a body it cannot read
  // (malformed, too large, an unknown charset or content encoding): answer it as ours, never the app's 500.
  if (pathUnderBase(latchkey.appInfo.apiBasePath, request.getPath()) === undefined) return false;
  response.setStatus(err.status);
  response.sendJSON({ message: bodyParserMessage(err.type) });
  return true;
}
