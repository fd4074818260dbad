import { requestFromHeaders } from "../../../lib/framework/nextjs";
import type { VerifySessionOptions } from "../types";
import { getSession as getRequestSession, type SessionWithHeaders } from "./fetch";

export type { SessionWithHeaders };

/**
 * Verifies the session of the request being rendered (server components, server actions), from `next/headers`,
 * with the full SessionContainer. Anti-CSRF is not checked (rendering is a GET).
 *
 * @example
 * ```ts
 * // In a server component or server action, with the full SessionContainer:
 * const { session } = await getSession({ sessionRequired: false });
 * const plan = session?.getAccessTokenPayload().plan;
 * ```
 */
export async function getSession(options?: VerifySessionOptions): Promise<SessionWithHeaders> {
  const { headers } = await import("next/headers");
  return getRequestSession(requestFromHeaders(new Headers(await headers())), options);
}

/**
 * Verifies a route handler's Request (`export async function GET(request: Request)`); add `headers` to your
 * response, and answer a thrown LatchkeyError with errorToResponse from latchkey/framework/nextjs.
 *
 * @example
 * ```ts
 * // app/me/route.ts (a thrown LatchkeyError: answer it with errorToResponse(err, request)):
 * export async function GET(request: Request): Promise<Response> {
 *   const { session, headers } = await getSessionForRequest(request);
 *   return Response.json({ userId: session?.getUserId() }, { headers });
 * }
 * ```
 */
export function getSessionForRequest(request: Request, options?: VerifySessionOptions): Promise<SessionWithHeaders> {
  return getRequestSession(request, options);
}
