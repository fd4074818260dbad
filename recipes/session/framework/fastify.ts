import type { FastifyReply, FastifyRequest } from "fastify";
import { FastifyResponse, wrapRequest } from "../../../lib/framework/fastify";
import type { SessionContainer } from "../sessionContainer";
import type { VerifySessionOptions } from "../types";
import { sessionVerifier } from "./verify";

/** A Fastify request after verifySession(): `request.session` (undefined only with sessionRequired: false). */
export type SessionRequest = FastifyRequest & { session?: SessionContainer };

/**
 * A Fastify `preHandler` that verifies the request's session and sets `request.session`
 * (`app.get("/x", { preHandler: verifySession() }, handler)`). Session errors are answered here (401 try refresh
 * token, and so on); anything else goes to Fastify's error handler.
 *
 * @example
 * ```ts
 * app.get("/me", { preHandler: verifySession() }, async (request) => ({
 *   userId: (request as SessionRequest).session?.getUserId(),
 * }));
 * app.get("/feed", { preHandler: verifySession({ sessionRequired: false }) }, async () => ({ posts: [] }));
 * ```
 */
export function verifySession(
  options?: VerifySessionOptions,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const verify = sessionVerifier(options);
  return async (request, reply) => {
    const outcome = await verify(wrapRequest(request), new FastifyResponse(reply));
    if (outcome.answered) return reply;
    (request as SessionRequest).session = outcome.session;
    return undefined;
  };
}
