import { LatchkeyError } from "../../error";
import { Latchkey } from "../../latchkey";
import { type SessionContainerInterface, Sessions, type VerifySessionOptions } from "../../seams";
import { answerError, makeUserContext, serveAuthRoute } from "../core";
import { appendHeaders, HeadersResponse } from "../headersResponse";
import { type FetchConnection, FetchRequest } from "./request";

export { appendHeaders, FetchRequest, HeadersResponse };
export type { FetchConnection };

/**
 * Serves Latchkey's routes for a Web `Request`: the answer, or undefined when the request is not an auth route
 * (the app answers it). Give `connection.remoteAddress` when the server knows it: without it, rate limits count
 * per email only. Errors that Latchkey does not answer (a database outage that is not a GENERAL_ERROR,
 * a bug) are thrown.
 *
 * @example
 * ```ts
 * // In a fetch-style server (Bun.serve, Deno.serve, @hono/node-server's serve, a worker):
 * const auth = await handler(request, { remoteAddress });
 * if (auth !== undefined) return auth; // an auth route under /auth, answered
 * // ... the app's own routes ...
 * ```
 */
export async function handler(request: Request, connection: FetchConnection = {}): Promise<Response | undefined> {
  const req = new FetchRequest(request, connection);
  const res = new HeadersResponse();
  try {
    if (!(await serveAuthRoute(req, res))) return undefined;
  } catch (err) {
    // A LatchkeyError the route did not answer itself (handleRequest answers its own) is answered as the core's.
    if (await answerError(err, req, res)) return res.toResponse();
    throw err;
  }
  return res.toResponse();
}

/** A verified session and the headers the app must add to its response (a renewed access token, and so on). */
export interface SessionWithHeaders<S = SessionContainerInterface> {
  /** The session; undefined only with `sessionRequired: false` and no session. */
  session: S | undefined;
  /**
   * Headers to add to the app's response. Session methods called later (updateJWTPayload, revokeSession) write
   * here too, so add them when the response is built (see `appendHeaders`).
   */
  headers: Headers;
}

/**
 * Verifies the request's session. Throws a LatchkeyError (UNAUTHORISED, TRY_REFRESH_TOKEN, INVALID_CLAIMS, ...)
 * that `errorToResponse` turns into the answer the frontend SDKs expect.
 *
 * @example
 * ```ts
 * try {
 *   const { session, headers } = await getSession(request); // headers: a renewed access token, and so on
 *   return Response.json({ userId: session?.getUserId() }, { headers });
 * } catch (err) {
 *   return (await errorToResponse(err, request)) ?? Response.json({ message: "Internal error" }, { status: 500 });
 * }
 * ```
 */
export async function getSession(request: Request, options: VerifySessionOptions = {}): Promise<SessionWithHeaders> {
  const req = new FetchRequest(request);
  const res = new HeadersResponse();
  const sessions = Latchkey.getInstanceOrThrow().capabilities.required(Sessions);
  const session = await sessions.getSession({ req, res, options, userContext: makeUserContext(req) });
  return { session, headers: res.headers };
}

/**
 * The Response for an error Latchkey answers (a LatchkeyError from getSession or your code: 401 try refresh,
 * 403 invalid claims, cleared cookies, ...), or undefined for any other error (the app's to answer).
 * `headers` (from getSession) are kept on the answer.
 *
 * @example
 * ```ts
 * const answer = await errorToResponse(err, request, headers); // 401 try refresh, 403 invalid claim, ...
 * if (answer === undefined) throw err; // not Latchkey's error: the app answers it
 * return answer;
 * ```
 */
export async function errorToResponse(
  err: unknown,
  request: Request,
  headers?: Headers,
): Promise<Response | undefined> {
  if (!LatchkeyError.isErrorFromAuth(err)) return undefined;
  const req = new FetchRequest(request);
  const res = new HeadersResponse();
  if (headers !== undefined) appendHeaders(res.headers, headers);
  return (await answerError(err, req, res)) ? res.toResponse() : undefined;
}
