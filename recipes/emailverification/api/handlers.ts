import { badInput } from "../../../lib/error";
import type { UserContext } from "../../../lib/types";
import Session from "../../session/index";
import type { APIInterface, APIOptions } from "../types";

/** One route's handler: parse the request, find the session, call the API implementation, answer. */
type Handler = (api: APIInterface, options: APIOptions, userContext: UserContext) => Promise<boolean>;

// These routes exist to satisfy the email verification claim, so they never check claims themselves.
const noClaims = { overrideGlobalClaimValidators: () => [] };

/** POST /user/email/verify/token: needs a session (401 without one). */
export const generateEmailVerifyToken: Handler = async (api, options, userContext) => {
  if (api.generateEmailVerifyTokenPOST === undefined) return false;
  const session = await Session.getSession(options.req, options.res, noClaims, userContext);
  options.res.sendJSON(await api.generateEmailVerifyTokenPOST({ session, options, userContext }));
  return true;
};

/** POST /user/email/verify with { method: "token", token }: works with or without a session. */
export const verifyEmail: Handler = async (api, options, userContext) => {
  if (api.verifyEmailPOST === undefined) return false;
  const body = await options.req.getJSONBody();
  if (typeof body.token !== "string" || body.token === "") throw badInput("Please provide the email verification token");
  if (body.method !== undefined && body.method !== "token") throw badInput('method must be "token"');
  const session = await Session.getSession(options.req, options.res, { ...noClaims, sessionRequired: false }, userContext);
  options.res.sendJSON(await api.verifyEmailPOST({ token: body.token, session, options, userContext }));
  return true;
};

/** GET /user/email/verify: needs a session. */
export const isEmailVerified: Handler = async (api, options, userContext) => {
  if (api.isEmailVerifiedGET === undefined) return false;
  const session = await Session.getSession(options.req, options.res, noClaims, userContext);
  options.res.sendJSON(await api.isEmailVerifiedGET({ session, options, userContext }));
  return true;
};
