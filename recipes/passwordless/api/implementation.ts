import { sendInBackground } from "../../../lib/email/delivery";
import { sameSecret } from "../../../lib/secrets";
import { setCompletedFirstFactor } from "../../../lib/seams";
import type { UserContext } from "../../../lib/types";
import { magicLink } from "../recipeImplementation";
import type { APIInterface, APIOptions, CreatedCode } from "../types";

/** Sends the code and/or link to the device's email or phone, after the answer (its timing tells nothing). */
function deliver(
  options: APIOptions,
  contact: { email?: string; phoneNumber?: string },
  code: CreatedCode,
  tenantId: string,
  userContext: UserContext,
): void {
  const { flowType } = options.config;
  const urlWithLinkCode =
    flowType === "USER_INPUT_CODE"
      ? undefined
      : magicLink(options.appInfo, code.preAuthSessionId, code.linkCode, tenantId);
  const userInputCode = flowType === "MAGIC_LINK" ? undefined : code.userInputCode;
  const message = {
    type: "PASSWORDLESS_LOGIN" as const,
    ...(userInputCode !== undefined ? { userInputCode } : {}),
    ...(urlWithLinkCode !== undefined ? { urlWithLinkCode } : {}),
    codeLifetime: code.codeLifetime,
    preAuthSessionId: code.preAuthSessionId,
    tenantId,
    userContext,
  };
  const secrets = [code.userInputCode, code.linkCode, ...(urlWithLinkCode !== undefined ? [urlWithLinkCode] : [])];
  if (contact.email !== undefined) {
    const email = contact.email;
    sendInBackground(
      () => options.emailDelivery.sendEmail({ ...message, email }),
      "passwordless login",
      email,
      secrets,
    );
  } else if (contact.phoneNumber !== undefined) {
    const phoneNumber = contact.phoneNumber;
    sendInBackground(
      () => options.smsDelivery.sendSms({ ...message, phoneNumber }),
      "passwordless login SMS",
      phoneNumber,
      secrets,
    );
  }
}

const secondFactorRefused = {
  status: "SIGN_IN_UP_NOT_ALLOWED" as const,
  reason: "Use an email address or phone number of this account for the second factor.",
};

/** Whether the address is one of the user's (in any login method). */
async function isUsersContact(
  options: APIOptions,
  userId: string,
  contact: { email?: string; phoneNumber?: string },
  userContext: UserContext,
): Promise<boolean> {
  const user = await options.getUser(userId, userContext);
  if (user === undefined) return false;
  if (contact.email !== undefined) return user.emails.includes(contact.email);
  return contact.phoneNumber !== undefined && user.phoneNumbers.includes(contact.phoneNumber);
}

/** The original implementation of the passwordless HTTP APIs. */
export function makeAPIImplementation(): APIInterface {
  return {
    createCodePOST: async ({ options, tenantId, userContext, session, ...contact }) => {
      // A second factor goes only to an address the signed-in user already has (adding one would need account
      // linking). Without a session, no lookup of the user: the same answer, in the same time, for any address.
      if (session !== undefined && !(await isUsersContact(options, session.getUserId(), contact, userContext)))
        return secondFactorRefused;
      const code = await options.recipeImplementation.createCode({ ...contact, tenantId, userContext });
      deliver(options, contact, code, tenantId, userContext);
      return {
        status: "OK",
        deviceId: code.deviceId,
        preAuthSessionId: code.preAuthSessionId,
        flowType: options.config.flowType,
      };
    },

    resendCodePOST: async ({ deviceId, preAuthSessionId, options, tenantId, userContext }) => {
      const device = await options.recipeImplementation.listCodesByDeviceId({ deviceId, tenantId, userContext });
      if (device === undefined || !sameSecret(device.preAuthSessionId, preAuthSessionId))
        return { status: "RESTART_FLOW_ERROR" };
      // A custom code generator may repeat itself: a few tries, then an error the SDK shows.
      for (let attempt = 0; attempt < 3; attempt++) {
        const code = await options.recipeImplementation.createNewCodeForDevice({ deviceId, tenantId, userContext });
        if (code.status === "RESTART_FLOW_ERROR") return code;
        if (code.status === "OK") {
          deliver(options, device, code, tenantId, userContext);
          return { status: "OK" };
        }
      }
      return { status: "GENERAL_ERROR", message: "Could not make a new code; please try again" };
    },

    consumeCodePOST: async ({ options, tenantId, userContext, ...input }) => {
      const result = await options.recipeImplementation.consumeCode({ ...input, tenantId, userContext });
      if (result.status !== "OK") return result;
      const by = input.linkCode !== undefined ? "link" : "otp";
      const factorId = `${by}-${result.consumedDevice.email !== undefined ? "email" : "phone"}`;
      const signedIn = input.session;
      if (signedIn !== undefined) {
        // The code proves the user receives messages at this address: the same session completes the factor.
        const contact = result.consumedDevice;
        if (!(await isUsersContact(options, signedIn.getUserId(), contact, userContext))) return secondFactorRefused;
        await options.mfa?.markFactorAsCompleteInSession({ session: signedIn, factorId, userContext });
        return { status: "OK", createdNewRecipeUser: false, user: result.user, session: signedIn };
      }
      const { user } = result;
      // The user just proved they receive mail at this address: the email is verified (when a recipe tracks that).
      if (user.email !== undefined && result.consumedDevice.email === user.email)
        await options.emailVerifier?.markEmailVerified({ userId: user.id, email: user.email, tenantId, userContext });
      // This recipe proves one of several factors: name the one this sign-in completed for MultiFactorAuth's claim.
      setCompletedFirstFactor(userContext, factorId);
      // Through the Session recipe's (overridable) createNewSession: one override reaches every login method.
      const session = await options.sessions.createNewSession({
        req: options.req,
        res: options.res,
        userId: user.id,
        tenantId,
        userContext,
      });
      return { status: "OK", createdNewRecipeUser: result.createdNewRecipeUser, user, session };
    },

    emailExistsGET: async ({ email, options, tenantId, userContext }) => ({
      status: "OK",
      exists: (await options.recipeImplementation.getUserByEmail({ email, tenantId, userContext })) !== undefined,
    }),

    phoneNumberExistsGET: async ({ phoneNumber, options, tenantId, userContext }) => ({
      status: "OK",
      exists:
        (await options.recipeImplementation.getUserByPhoneNumber({ phoneNumber, tenantId, userContext })) !== undefined,
    }),
  };
}
