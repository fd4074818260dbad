import { sendInBackground } from "../../../lib/email/delivery";
import type { SessionContainerInterface } from "../../../lib/seams";
import { type SignInUpAction, sessionValues } from "../../../lib/sessionFeature";
import type { UserContext } from "../../../lib/types";
import type { APIInterface, APIOptions, EmailPasswordUser, FormFieldInput } from "../types";
import { normaliseEmail } from "../validation";

const emailOf = (fields: { id: string; value: unknown }[]): string =>
  String(fields.find((f) => f.id === "email")?.value ?? "");
const passwordOf = (fields: { id: string; value: unknown }[]): string =>
  String(fields.find((f) => f.id === "password")?.value ?? "");

/**
 * The session of a sign-up or sign-in: sessionFeature's values go through the Session recipe's (possibly
 * overridden) createNewSession, so one override reaches every login.
 */
async function startSession(
  options: APIOptions,
  user: EmailPasswordUser,
  formFields: FormFieldInput[],
  action: SignInUpAction,
  tenantId: string,
  userContext: UserContext,
): Promise<SessionContainerInterface> {
  const context = { loginMethod: "emailpassword" as const, formFields };
  const { jwtPayload, sessionData } = await sessionValues(options.config.sessionFeature, user, context, action);
  return options.sessions.createNewSession({
    req: options.req,
    res: options.res,
    userId: user.id,
    jwtPayload,
    sessionData,
    tenantId,
    userContext,
  });
}

/** The original implementation of the emailpassword HTTP APIs. */
export function makeAPIImplementation(): APIInterface {
  return {
    signUpPOST: async ({ formFields, options, tenantId, userContext }) => {
      const result = await options.recipeImplementation.signUp({
        email: emailOf(formFields),
        password: passwordOf(formFields),
        tenantId,
        userContext,
      });
      if (result.status === "EMAIL_ALREADY_EXISTS_ERROR") {
        // The SDKs show sign-up problems per field; this is the message SuperTokens' UI expects.
        return {
          status: "FIELD_ERROR",
          formFields: [{ id: "email", error: "This email already exists. Please sign in instead." }],
        };
      }
      const session = await startSession(options, result.user, formFields, "signup", tenantId, userContext);
      return { status: "OK", user: result.user, session };
    },

    signInPOST: async ({ formFields, options, tenantId, userContext }) => {
      const result = await options.recipeImplementation.signIn({
        email: emailOf(formFields),
        password: passwordOf(formFields),
        tenantId,
        userContext,
      });
      if (result.status !== "OK") return result;
      const session = await startSession(options, result.user, formFields, "signin", tenantId, userContext);
      return { status: "OK", user: result.user, session };
    },

    emailExistsGET: async ({ email, options, tenantId, userContext }) => ({
      status: "OK",
      exists: (await options.recipeImplementation.getUserByEmail({ email, tenantId, userContext })) !== undefined,
    }),

    generatePasswordResetTokenPOST: async ({ formFields, options, tenantId, userContext }) => {
      const user = await options.recipeImplementation.getUserByEmail({
        email: normaliseEmail(emailOf(formFields)),
        tenantId,
        userContext,
      });
      // Same answer whether or not the email is known, and the email goes out in the background, so neither the
      // answer nor its timing tells which emails have accounts.
      if (user === undefined) return { status: "OK" };
      const created = await options.recipeImplementation.createResetPasswordToken({
        userId: user.id,
        tenantId,
        userContext,
      });
      if (created.status !== "OK") return { status: "OK" };
      const { websiteDomain, websiteBasePath } = options.appInfo;
      const passwordResetLink = `${websiteDomain}${websiteBasePath}/reset-password?token=${encodeURIComponent(created.token)}&rid=emailpassword`;
      sendInBackground(
        () =>
          options.emailDelivery.sendEmail({
            type: "PASSWORD_RESET",
            user: { id: user.id, email: user.email },
            passwordResetLink,
            userContext,
          }),
        "password reset",
        user.email,
        [passwordResetLink, created.token],
      );
      return { status: "OK" };
    },

    passwordResetPOST: async ({ formFields, token, options, tenantId, userContext }) => {
      const result = await options.recipeImplementation.resetPasswordUsingToken({
        token,
        newPassword: passwordOf(formFields),
        tenantId,
        userContext,
      });
      if (result.status === "OK" && options.config.revokeSessionsOnPasswordReset) {
        await options.sessions.revokeAllSessionsForUser({ userId: result.userId, userContext });
      }
      return result;
    },
  };
}
