import type { MiddlewareHandler } from "hono";
import { appendHeaders, HeadersResponse, wrapRequest } from "../../../lib/framework/hono";
import type { SessionContainer } from "../sessionContainer";
import type { VerifySessionOptions } from "../types";
import { sessionVerifier } from "./verify";

/** The Hono variables verifySession() sets: `c.get("session")` (undefined only with sessionRequired: false). */
export type SessionVariables = { session: SessionContainer | undefined };

/**
 * Hono middleware that verifies the request's session and sets `c.get("session")`. Session errors are answered here
 * (401 try refresh token, and so on); anything else is thrown to `app.onError`. Headers the session writes (a
 * renewed access token, cookies cleared by revokeSession) are added to the handler's response.
 *
 * @example
 * ```ts
 * const app = new Hono<{ Variables: SessionVariables }>();
 * app.get("/me", verifySession(), (c) => c.json({ userId: c.get("session")?.getUserId() }));
 * app.get("/feed", verifySession({ sessionRequired: false }), (c) => c.json({ signedIn: !!c.get("session") }));
 * ```
 */
export function verifySession(options?: VerifySessionOptions): MiddlewareHandler<{ Variables: SessionVariables }> {
  const verify = sessionVerifier(options);
  return async (c, next) => {
    const response = new HeadersResponse();
    const outcome = await verify(wrapRequest(c), response);
    if (outcome.answered) return response.toResponse();
    c.set("session", outcome.session);
    await next();
    appendSessionHeaders(c.res, response.headers, (res) => (c.res = res));
    return undefined;
  };
}

// A Response built by fetch() or new Response() may have immutable headers: then it is copied with ours added.
function appendSessionHeaders(res: Response, headers: Headers, replace: (res: Response) => void): void {
  if ([...headers.keys()].length === 0) return;
  try {
    appendHeaders(res.headers, headers);
  } catch {
    const copy = new Response(res.body, res);
    appendHeaders(copy.headers, headers);
    replace(copy);
  }
}
