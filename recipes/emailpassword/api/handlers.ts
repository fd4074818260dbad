import { badInput } from "../../../lib/error";
import type { UserContext } from "../../../lib/types";
import type { APIInterface, APIOptions, EmailPasswordUser, FormField } from "../types";
import { defaultEmailValidator, validateFormFields } from "../validation";
import { readFormFields } from "./formFields";

/** One route's handler: parse and validate the request, call the API implementation, answer. */
type Handler = (api: APIInterface, options: APIOptions, userContext: UserContext) => Promise<boolean>;

// The user as the SDKs receive it (FDI 1.x fields, plus the emails list of later versions).
const userJSON = (user: EmailPasswordUser) => ({ id: user.id, email: user.email, emails: [user.email], timeJoined: user.timeJoined });

const signInFields: FormField[] = [{ id: "email", validate: defaultEmailValidator }, { id: "password" }];
const resetRequestFields: FormField[] = [{ id: "email", validate: defaultEmailValidator }];

/** POST /signup */
export const signUp: Handler = async (api, options, userContext) => {
  if (api.signUpPOST === undefined) return false;
  const { formFields } = await readFormFields(options.req);
  const invalid = await validateFormFields(options.config.signUpFormFields, formFields, userContext);
  if (invalid !== undefined) return send(options, invalid);
  const result = await api.signUpPOST({ formFields, options, userContext });
  return send(options, result.status === "OK" ? { status: "OK", user: userJSON(result.user) } : result);
};

/** POST /signin */
export const signIn: Handler = async (api, options, userContext) => {
  if (api.signInPOST === undefined) return false;
  const { formFields } = await readFormFields(options.req);
  const invalid = await validateFormFields(signInFields, formFields, userContext);
  if (invalid !== undefined) return send(options, invalid);
  const result = await api.signInPOST({ formFields, options, userContext });
  return send(options, result.status === "OK" ? { status: "OK", user: userJSON(result.user) } : result);
};

/** GET /emailpassword/email/exists?email= */
export const emailExists: Handler = async (api, options, userContext) => {
  if (api.emailExistsGET === undefined) return false;
  const email = options.req.getQuery("email");
  if (email === undefined || email === "") throw badInput("Please provide the email as a GET param");
  return send(options, await api.emailExistsGET({ email, options, userContext }));
};

/** POST /user/password/reset/token */
export const generatePasswordResetToken: Handler = async (api, options, userContext) => {
  if (api.generatePasswordResetTokenPOST === undefined) return false;
  const { formFields } = await readFormFields(options.req);
  const invalid = await validateFormFields(resetRequestFields, formFields, userContext);
  if (invalid !== undefined) return send(options, invalid);
  return send(options, await api.generatePasswordResetTokenPOST({ formFields, options, userContext }));
};

/** POST /user/password/reset */
export const passwordReset: Handler = async (api, options, userContext) => {
  if (api.passwordResetPOST === undefined) return false;
  const { body, formFields } = await readFormFields(options.req);
  if (typeof body.token !== "string" || body.token === "") throw badInput("Please provide the password reset token");
  const passwordField = options.config.signUpFormFields.filter((f) => f.id === "password");
  const invalid = await validateFormFields(passwordField, formFields, userContext);
  if (invalid !== undefined) return send(options, invalid);
  const result = await api.passwordResetPOST({ formFields, token: body.token, options, userContext });
  return send(options, result.status === "OK" ? { status: "OK" } : result);
};

function send(options: APIOptions, body: unknown): boolean {
  options.res.sendJSON(body);
  return true;
}
