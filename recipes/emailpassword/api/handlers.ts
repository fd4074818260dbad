import { answerTooManyRequests } from "../../../lib/rateLimit/answer";
import { clientAddress } from "../../../lib/rateLimit/clientAddress";
import { requestTenantId } from "../../../lib/tenant";
import type { UserContext } from "../../../lib/types";
import { EmailPasswordError } from "../error";
import type { APIInterface, APIOptions, FormField } from "../types";
import { defaultEmailValidator, normaliseEmail, validateFormFields } from "../validation";
import { readFormFields } from "./formFields";

/** One route's handler: parse and validate the request, call the API implementation, answer. */
type Handler = (api: APIInterface, options: APIOptions, userContext: UserContext) => Promise<boolean>;

// The recipe's own names of its limited actions: they start the keys of the counters already stored, so they stay.
type LimitedAction = "signin" | "reset" | "signup";

const signInFields: FormField[] = [{ id: "email", validate: defaultEmailValidator }, { id: "password" }];
const resetRequestFields: FormField[] = [{ id: "email", validate: defaultEmailValidator }];

/** POST /signup */
export const signUp: Handler = async (api, options, userContext) => {
  if (api.signUpPOST === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const { formFields } = await readFormFields(options.req);
  const invalid = await validateFormFields(options.config.signUpFormFields, formFields, userContext);
  if (invalid !== undefined) return send(options, invalid);
  // Before the bcrypt hash: each sign-up costs CPU and makes an account, so one client cannot make them by the hundred.
  if (await rateLimited(options, "signup", normaliseEmail(String(formFields.find((f) => f.id === "email")?.value))))
    return true;
  const result = await api.signUpPOST({ formFields, options, tenantId, userContext });
  return send(
    options,
    result.status === "OK"
      ? { status: "OK", user: await options.userForResponse(result.user, tenantId, userContext) }
      : result,
  );
};

/** POST /signin */
export const signIn: Handler = async (api, options, userContext) => {
  if (api.signInPOST === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const { formFields } = await readFormFields(options.req);
  const invalid = await validateFormFields(signInFields, formFields, userContext);
  if (invalid !== undefined) return send(options, invalid);
  const email = normaliseEmail(String(formFields.find((f) => f.id === "email")?.value));
  if (await rateLimited(options, "signin", email)) return true;
  const result = await api.signInPOST({ formFields, options, tenantId, userContext });
  // The owner got in: their mistakes so far no longer count. The per-address count stays, so an attacker cannot
  // clear it by signing in to an account of their own between guesses.
  if (result.status === "OK" && options.config.rateLimit.signIn.perEmail !== undefined)
    await options.rateLimiter.forgetEmail("signin", email);
  return send(
    options,
    result.status === "OK"
      ? { status: "OK", user: await options.userForResponse(result.user, tenantId, userContext) }
      : result,
  );
};

/** GET /emailpassword/email/exists?email= */
export const emailExists: Handler = async (api, options, userContext) => {
  if (api.emailExistsGET === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const email = options.req.getQuery("email");
  if (email === undefined || email === "") throw EmailPasswordError.badInput("Please provide the email as a GET param");
  return send(options, await api.emailExistsGET({ email, options, tenantId, userContext }));
};

/** POST /user/password/reset/token */
export const generatePasswordResetToken: Handler = async (api, options, userContext) => {
  if (api.generatePasswordResetTokenPOST === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const { formFields } = await readFormFields(options.req);
  const invalid = await validateFormFields(resetRequestFields, formFields, userContext);
  if (invalid !== undefined) return send(options, invalid);
  if (await rateLimited(options, "reset", normaliseEmail(String(formFields.find((f) => f.id === "email")?.value))))
    return true;
  return send(options, await api.generatePasswordResetTokenPOST({ formFields, options, tenantId, userContext }));
};

/** POST /user/password/reset */
export const passwordReset: Handler = async (api, options, userContext) => {
  if (api.passwordResetPOST === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const { body, formFields } = await readFormFields(options.req);
  if (typeof body.token !== "string" || body.token === "")
    throw EmailPasswordError.badInput("Please provide the password reset token");
  const passwordField = options.config.signUpFormFields.filter((f) => f.id === "password");
  const invalid = await validateFormFields(passwordField, formFields, userContext);
  if (invalid !== undefined) return send(options, invalid);
  // No email in this request: the token (256 random bits) is what would be guessed, so it is limited per address.
  if (await rateLimited(options, "reset", undefined)) return true;
  const result = await api.passwordResetPOST({ formFields, token: body.token, options, tenantId, userContext });
  return send(options, result.status === "OK" ? { status: "OK" } : result);
};

/**
 * Counts the attempt; over a limit, answers 429 with Retry-After (seconds) and `{ message }` (lib/rateLimit/answer.ts).
 */
async function rateLimited(options: APIOptions, action: LimitedAction, email: string | undefined): Promise<boolean> {
  const { rateLimit } = options.config;
  const limits =
    action === "signin" ? rateLimit.signIn : action === "signup" ? rateLimit.signUp : rateLimit.passwordReset;
  const ip = clientAddress(options.req, rateLimit.trustedProxies);
  const wait = await options.rateLimiter.hit(action, limits, {
    ...(email !== undefined ? { email } : {}),
    ...(ip !== undefined ? { ip } : {}),
  });
  if (wait === undefined) return false;
  answerTooManyRequests(
    options.res,
    wait,
    action === "reset" ? "password reset" : action === "signin" ? "sign-in" : "sign-up",
  );
  return true;
}

function send(options: APIOptions, body: unknown): boolean {
  options.res.sendJSON(body);
  return true;
}
