import {
  FetchRequest,
  HeadersResponse,
  type SessionWithHeaders as FetchSessionWithHeaders,
} from "../../../lib/framework/fetch";
import type { SessionContainer } from "../sessionContainer";
import type { VerifySessionOptions } from "../types";
import { verifyRequestSession } from "./verify";

/** A verified session (the full SessionContainer) and the headers to add to the app's response. */
export type SessionWithHeaders = FetchSessionWithHeaders<SessionContainer>;

/**
 * Verifies a Web Request's session (the full SessionContainer; `latchkey/framework/fetch`'s getSession gives the
 * recipe-neutral interface). Throws a LatchkeyError that `errorToResponse` answers.
 *
 * @example
 * ```ts
 * try {
 *   const { session, headers } = await getSession(request, { sessionRequired: false });
 *   return Response.json({ userId: session?.getUserId(), payload: session?.getAccessTokenPayload() }, { headers });
 * } catch (err) {
 *   return (await errorToResponse(err, request)) ?? Response.json({ message: "Internal error" }, { status: 500 });
 * }
 * ```
 */
export async function getSession(request: Request, options?: VerifySessionOptions): Promise<SessionWithHeaders> {
  const res = new HeadersResponse();
  const session = await verifyRequestSession(new FetchRequest(request), res, options);
  return { session, headers: res.headers };
}
