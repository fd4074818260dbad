import { answerTooManyRequests } from "../../../lib/rateLimit/answer";
import { clientAddress } from "../../../lib/rateLimit/clientAddress";
import { requestTenantId } from "../../../lib/tenant";
import { type SessionContainerInterface, type VerifySessionOptions } from "../../../lib/seams";
import type { UserContext } from "../../../lib/types";
import { PasswordlessError } from "../error";
import type { APIInterface, APIOptions, ContactInput } from "../types";
import { normaliseEmail, normalisePhoneNumber } from "../validation";

/** One route's handler: parse and validate the request, call the API implementation, answer. */
type Handler = (api: APIInterface, options: APIOptions, userContext: UserContext) => Promise<boolean>;

// No id, code or address a flow makes is near this long; anything longer is not worth hashing.
const MAX_FIELD_LENGTH = 1000;

/** POST /signinup/code */
export const createCode: Handler = async (api, options, userContext) => {
  if (api.createCodePOST === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const body = await options.req.getJSONBody();
  const { email, phoneNumber } = body;
  if ((email === undefined) === (phoneNumber === undefined))
    throw PasswordlessError.badInput("Please provide exactly one of email or phoneNumber");
  const { contactMethod } = options.config;
  let contact: ContactInput;
  if (email !== undefined) {
    if (typeof email !== "string") throw PasswordlessError.badInput("email must be a string");
    if (contactMethod === "PHONE")
      throw PasswordlessError.badInput('Please provide a phoneNumber: contactMethod is "PHONE"');
    const problem =
      email.length > MAX_FIELD_LENGTH ? "Email is invalid" : await options.config.validateEmailAddress(email, tenantId);
    if (problem !== undefined) return send(options, { status: "GENERAL_ERROR", message: problem });
    contact = { email: normaliseEmail(email) };
  } else {
    if (typeof phoneNumber !== "string") throw PasswordlessError.badInput("phoneNumber must be a string");
    if (contactMethod === "EMAIL")
      throw PasswordlessError.badInput('Please provide an email: contactMethod is "EMAIL"');
    const problem =
      phoneNumber.length > MAX_FIELD_LENGTH
        ? "Phone number is invalid"
        : await options.config.validatePhoneNumber(phoneNumber, tenantId);
    if (problem !== undefined) return send(options, { status: "GENERAL_ERROR", message: problem });
    // E.164 when the library can read it, so one number has one spelling (an app's validator may allow more).
    contact = { phoneNumber: normalisePhoneNumber(phoneNumber) ?? phoneNumber.trim() };
  }
  const session = await sessionOfSecondFactor(body, options, userContext);
  if (await rateLimited(options, "code", contactKey(contact))) return true;
  return send(
    options,
    await api.createCodePOST({
      ...contact,
      ...(session !== undefined ? { session } : {}),
      options,
      tenantId,
      userContext,
    }),
  );
};

/** POST /signinup/code/resend */
export const resendCode: Handler = async (api, options, userContext) => {
  if (api.resendCodePOST === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const body = await options.req.getJSONBody();
  const deviceId = requiredString(body.deviceId, "deviceId");
  const preAuthSessionId = requiredString(body.preAuthSessionId, "preAuthSessionId");
  // A resend sends a message like a new code: it counts against the same limits, the device's address included.
  const device = await options.recipeImplementation.listCodesByPreAuthSessionId({
    preAuthSessionId,
    tenantId,
    userContext,
  });
  const contact =
    device?.email !== undefined
      ? { email: device.email }
      : device?.phoneNumber !== undefined
        ? { phoneNumber: device.phoneNumber }
        : undefined;
  if (await rateLimited(options, "code", contact === undefined ? undefined : contactKey(contact))) return true;
  return send(options, await api.resendCodePOST({ deviceId, preAuthSessionId, options, tenantId, userContext }));
};

/** POST /signinup/code/consume */
export const consumeCode: Handler = async (api, options, userContext) => {
  if (api.consumeCodePOST === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const body = await options.req.getJSONBody();
  const preAuthSessionId = requiredString(body.preAuthSessionId, "preAuthSessionId");
  let input;
  if (body.linkCode !== undefined) {
    if (body.userInputCode !== undefined || body.deviceId !== undefined)
      throw PasswordlessError.badInput("Please provide either linkCode, or userInputCode with deviceId, not both");
    input = { linkCode: requiredString(body.linkCode, "linkCode"), preAuthSessionId };
  } else {
    if (body.userInputCode === undefined)
      throw PasswordlessError.badInput("Please provide either linkCode, or userInputCode with deviceId");
    input = {
      userInputCode: requiredString(body.userInputCode, "userInputCode"),
      deviceId: requiredString(body.deviceId, "deviceId"),
      preAuthSessionId,
    };
  }
  const session = await sessionOfSecondFactor(body, options, userContext);
  if (await rateLimited(options, "consume", undefined)) return true;
  const result = await api.consumeCodePOST({
    ...input,
    ...(session !== undefined ? { session } : {}),
    options,
    tenantId,
    userContext,
  });
  return send(
    options,
    result.status === "OK"
      ? {
          status: "OK",
          createdNewRecipeUser: result.createdNewRecipeUser,
          user: await options.userForResponse(result.user, userContext),
        }
      : result,
  );
};

/** GET /passwordless/email/exists?email= */
export const emailExists: Handler = async (api, options, userContext) => {
  if (api.emailExistsGET === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const email = options.req.getQuery("email");
  if (email === undefined || email === "") throw PasswordlessError.badInput("Please provide the email as a GET param");
  return send(options, await api.emailExistsGET({ email, options, tenantId, userContext }));
};

/** GET /passwordless/phonenumber/exists?phoneNumber= */
export const phoneNumberExists: Handler = async (api, options, userContext) => {
  if (api.phoneNumberExistsGET === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const phoneNumber = options.req.getQuery("phoneNumber");
  if (phoneNumber === undefined || phoneNumber === "")
    throw PasswordlessError.badInput("Please provide the phoneNumber as a GET param");
  return send(options, await api.phoneNumberExistsGET({ phoneNumber, options, tenantId, userContext }));
};

// A second factor is how a session completes what it must, so its routes cannot demand that it has.
const noClaims: VerifySessionOptions = { overrideGlobalClaimValidators: () => [] };

/**
 * The signed-in session a code is for, when the SDK says so (`shouldTryLinkingWithSessionUser: true`, a second
 * factor); without a session that is a 401 from the Sessions capability. Undefined for a sign-in.
 */
async function sessionOfSecondFactor(
  body: Record<string, unknown>,
  options: APIOptions,
  userContext: UserContext,
): Promise<SessionContainerInterface | undefined> {
  const flag = body.shouldTryLinkingWithSessionUser;
  if (flag !== undefined && typeof flag !== "boolean")
    throw PasswordlessError.badInput("shouldTryLinkingWithSessionUser must be a boolean");
  if (flag !== true) return undefined;
  return options.sessions.getSession({ req: options.req, res: options.res, options: noClaims, userContext });
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== "string" || value === "") throw PasswordlessError.badInput(`Please provide ${name} as a string`);
  if (value.length > MAX_FIELD_LENGTH) throw PasswordlessError.badInput(`${name} is too long`);
  return value;
}

// Emails and phones count in one table: the kind starts the key, so an email never shares a counter with a number.
function contactKey(contact: ContactInput): string {
  return contact.email !== undefined ? `email:${contact.email}` : `phone:${contact.phoneNumber}`;
}

/** Counts the attempt; over a limit, answers 429 with Retry-After (lib/rateLimit/answer.ts). */
async function rateLimited(
  options: APIOptions,
  action: "code" | "consume",
  contact: string | undefined,
): Promise<boolean> {
  const { rateLimit } = options.config;
  const ip = clientAddress(options.req, rateLimit.trustedProxies);
  const wait = await options.rateLimiter.hit(action, action === "code" ? rateLimit.createCode : rateLimit.consumeCode, {
    ...(contact !== undefined ? { email: contact } : {}),
    ...(ip !== undefined ? { ip } : {}),
  });
  if (wait === undefined) return false;
  answerTooManyRequests(options.res, wait);
  return true;
}

function send(options: APIOptions, body: unknown): boolean {
  options.res.sendJSON(body);
  return true;
}
