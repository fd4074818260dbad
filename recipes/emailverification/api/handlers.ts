import { normaliseEmail } from "../../../lib/email/address";
import { LatchkeyError } from "../../../lib/error";
import { answerTooManyRequests } from "../../../lib/rateLimit/answer";
import { type SessionContainerInterface, type VerifySessionOptions } from "../../../lib/seams";
import { requestTenantId } from "../../../lib/tenant";
import type { UserContext } from "../../../lib/types";
import { EmailVerificationError } from "../error";
import type { APIInterface, APIOptions } from "../types";

/** One route's handler: parse the request, find the session, call the API implementation, answer. */
type Handler = (api: APIInterface, options: APIOptions, userContext: UserContext) => Promise<boolean>;

// These routes exist to satisfy the email verification claim, so they never check claims themselves.
const noClaims: VerifySessionOptions = { overrideGlobalClaimValidators: () => [] };

/** The request's session, if any (with `sessionRequired: false`). */
function optionalSession(
  options: APIOptions,
  verify: VerifySessionOptions,
  userContext: UserContext,
): Promise<SessionContainerInterface | undefined> {
  return options.sessions.getSession({
    req: options.req,
    res: options.res,
    options: { ...verify, sessionRequired: false },
    userContext,
  });
}

/** The request's session; without one the Sessions capability answers 401 itself. */
async function requiredSession(
  options: APIOptions,
  verify: VerifySessionOptions,
  userContext: UserContext,
): Promise<SessionContainerInterface> {
  const session = await options.sessions.getSession({
    req: options.req,
    res: options.res,
    options: verify,
    userContext,
  });
  // The seam promises a session or its own error when one is required: anything else is a provider's bug.
  if (session === undefined)
    throw new LatchkeyError("GENERAL_ERROR", "the Sessions provider returned no session where one is required");
  return session;
}

/** POST /user/email/verify/token: needs a session (401 without one). */
export const generateEmailVerifyToken: Handler = async (api, options, userContext) => {
  if (api.generateEmailVerifyTokenPOST === undefined) return false;
  const session = await requiredSession(options, noClaims, userContext);
  // The session's tenant, as SuperTokens: the SDK calls this route without one; the link then names it.
  const tenantId = session.getTenantId();
  // Counted per user (so a new session does not reset it) and per address (so several accounts claiming one address
  // cannot flood it), before any token is made or email sent.
  const userId = session.getUserId();
  const email = await options.emailForUser(userId, userContext);
  const wait = await options.rateLimiter.hit("send", options.config.rateLimit, {
    user: userId,
    ...(email !== undefined ? { email: normaliseEmail(email) } : {}),
  });
  if (wait !== undefined) {
    answerTooManyRequests(options.res, wait, "verification email");
    return true;
  }
  options.res.sendJSON(await api.generateEmailVerifyTokenPOST({ session, options, tenantId, userContext }));
  return true;
};

/** POST /user/email/verify with { method: "token", token }: works with or without a session. */
export const verifyEmail: Handler = async (api, options, userContext) => {
  if (api.verifyEmailPOST === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const body = await options.req.getJSONBody();
  if (typeof body.token !== "string" || body.token === "")
    throw EmailVerificationError.badInput("Please provide the email verification token");
  if (body.method !== undefined && body.method !== "token")
    throw EmailVerificationError.badInput('method must be "token"');
  const session = await optionalSession(options, noClaims, userContext);
  const result = await api.verifyEmailPOST({ token: body.token, session, options, tenantId, userContext });
  // FDI: the answer is the status alone; the verified user stays on the server (overrides still see it).
  options.res.sendJSON(result.status === "OK" ? { status: "OK" } : result);
  return true;
};

/** GET /user/email/verify: needs a session. */
export const isEmailVerified: Handler = async (api, options, userContext) => {
  if (api.isEmailVerifiedGET === undefined) return false;
  const session = await requiredSession(options, noClaims, userContext);
  const tenantId = session.getTenantId();
  options.res.sendJSON(await api.isEmailVerifiedGET({ session, options, tenantId, userContext }));
  return true;
};
