import type { VerifySessionOptions } from "../../seams";
import { errorToResponse, getSession as getFetchSession, handler, type SessionWithHeaders } from "../fetch";

export { errorToResponse };

/** A Next.js App Router route handler. */
export type RouteHandler = (request: Request) => Promise<Response>;

/**
 * The route handlers of `app/api/auth/[[...path]]/route.ts` (with apiBasePath "/api/auth"):
 * `export const { GET, POST, PUT, PATCH, DELETE } = routeHandlers();`. A path under the folder that is not a
 * Latchkey route gets a JSON 404. HEAD and OPTIONS are left to Next.js (as express's middleware leaves them to the app).
 *
 * @example
 * ```ts
 * // app/api/auth/[[...path]]/route.ts (apiBasePath "/api/auth"):
 * export const { GET, POST, PUT, PATCH, DELETE } = routeHandlers();
 * ```
 */
export function routeHandlers(): Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", RouteHandler> {
  const serve: RouteHandler = async (request) =>
    (await handler(request)) ?? Response.json({ message: "Not found" }, { status: 404 });
  return { GET: serve, POST: serve, PUT: serve, PATCH: serve, DELETE: serve };
}

/**
 * A GET Request carrying the incoming request's headers (cookies, Authorization), for verifying a session where
 * Next.js gives headers but no Request (server components, server actions).
 *
 * @example
 * ```ts
 * // What getSession() does: the request being rendered, rebuilt from headers() of "next/headers"
 * const request = requestFromHeaders(new Headers(await headers()));
 * const { session } = await getSessionForRequest(request); // latchkey/recipe/session/framework/nextjs
 * ```
 */
export function requestFromHeaders(headers: Headers): Request {
  const host = headers.get("host") ?? "localhost";
  const proto = headers.get("x-forwarded-proto") === "https" ? "https" : "http";
  return new Request(`${proto}://${host}/`, { headers });
}

/**
 * Verifies the session of the request being rendered (server components, server actions), from `next/headers`.
 * Anti-CSRF is not checked (rendering is a GET); a session that needs refreshing throws TRY_REFRESH_TOKEN, which a
 * server component cannot answer with new cookies: send the browser to refresh (the frontend SDK does it).
 * In a route handler, use `latchkey/framework/fetch`'s getSession(request) and add its headers to your response.
 *
 * @example
 * ```ts
 * // In a server component or server action:
 * const { session } = await getSession({ sessionRequired: false });
 * const userId = session?.getUserId() ?? null; // null: signed out
 * ```
 */
export async function getSession(options?: VerifySessionOptions): Promise<SessionWithHeaders> {
  const { headers } = await import("next/headers");
  return getFetchSession(requestFromHeaders(new Headers(await headers())), options);
}
