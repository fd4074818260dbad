import { sendInBackground } from "../../../lib/email/delivery";
import { FactorIds, type SessionContainerInterface, setCompletedFirstFactor } from "../../../lib/seams";
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
  // Named for MultiFactorAuth's claim, which would otherwise look the user up in every login method to tell.
  setCompletedFirstFactor(userContext, FactorIds.EMAILPASSWORD);
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
      // All the work (the lookup, the token, the email) runs after the answer: the answer is the same OK for known
      // and unknown emails and its timing depends on none of it, so it cannot tell which emails have accounts.
      const email = normaliseEmail(emailOf(formFields));
      sendInBackground(
        async () => {
          const user = await options.recipeImplementation.getUserByEmail({ email, tenantId, userContext });
          if (user === undefined) return;
          // Asked for the address it mails: if the email changed since the lookup, no token and no link.
          const created = await options.recipeImplementation.createResetPasswordToken({
            userId: user.id,
            email: user.email,
            tenantId,
            userContext,
          });
          if (created.status !== "OK") return;
          const { websiteDomain, websiteBasePath } = options.appInfo;
          const passwordResetLink = `${websiteDomain}${websiteBasePath}/reset-password?token=${encodeURIComponent(created.token)}&tenantId=${encodeURIComponent(tenantId)}&rid=emailpassword`;
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
        },
        "password reset",
        email,
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
