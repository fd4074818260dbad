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

/** The original implementation of the passwordless HTTP APIs. */
export function makeAPIImplementation(): APIInterface {
  return {
    createCodePOST: async ({ options, tenantId, userContext, ...contact }) => {
      // No lookup of the user here: the answer is the same, in the same time, for addresses with and without accounts.
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
      const { user } = result;
      // The user just proved they receive mail at this address: the email is verified (when a recipe tracks that).
      if (user.email !== undefined && result.consumedDevice.email === user.email)
        await options.emailVerifier?.markEmailVerified({ userId: user.id, email: user.email, tenantId, userContext });
      // This recipe proves one of several factors: name the one this sign-in completed for MultiFactorAuth's claim.
      const by = input.linkCode !== undefined ? "link" : "otp";
      setCompletedFirstFactor(userContext, `${by}-${result.consumedDevice.email !== undefined ? "email" : "phone"}`);
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
