import { LatchkeyError } from "../../../lib/error";
import { FactorIds, type SessionContainerInterface } from "../../../lib/seams";
import type { UserContext } from "../../../lib/types";
import type { APIInterface, APIOptions } from "../types";

/** The original implementation of the TOTP HTTP APIs. */
export function makeAPIImplementation(): APIInterface {
  return {
    createDevicePOST: async ({ session, options, deviceName, userContext }) => {
      // With MultiFactorAuth: a session that has not completed what is required of it cannot add a device (so a
      // password alone cannot enrol an attacker's authenticator on an account that already has one).
      await options.mfa?.assertAllowedToSetupFactor({ session, factorId: FactorIds.TOTP, userContext });
      const userId = session.getUserId();
      const info = await options.recipeImplementation.getUserIdentifierInfoForUserId({ userId, userContext });
      const created = await options.recipeImplementation.createDevice({
        userId,
        userIdentifierInfo: info.status === "OK" ? info.info : userId,
        ...(deviceName !== undefined ? { deviceName } : {}),
        userContext,
      });
      // Only an override that ignores userIdentifierInfo could answer this; it is its bug, not the caller's.
      if (created.status === "UNKNOWN_USER_ID_ERROR")
        throw new LatchkeyError("GENERAL_ERROR", "createDevice answered UNKNOWN_USER_ID_ERROR for a session's user");
      return created;
    },

    listDevicesGET: ({ session, options, userContext }) =>
      options.recipeImplementation.listDevices({ userId: session.getUserId(), userContext }),

    removeDevicePOST: async ({ session, options, deviceName, userContext }) => {
      const userId = session.getUserId();
      // Removing a second factor is as sensitive as adding one: only a session that completed its factors may. An
      // unverified device is no factor yet, so a session still setting one up may remove it (SuperTokens' rule).
      const { devices } = await options.recipeImplementation.listDevices({ userId, userContext });
      if (devices.some((d) => d.name === deviceName && d.verified))
        await options.mfa?.assertMFACompleted({ session, userContext });
      return options.recipeImplementation.removeDevice({ userId, deviceName, userContext });
    },

    verifyDevicePOST: async ({ session, options, deviceName, totp, userContext }) => {
      await options.mfa?.assertAllowedToSetupFactor({ session, factorId: FactorIds.TOTP, userContext });
      const result = await options.recipeImplementation.verifyDevice({
        tenantId: session.getTenantId(),
        userId: session.getUserId(),
        deviceName,
        totp,
        userContext,
      });
      // The code just proved possession of the device: the same session now counts the factor as completed.
      if (result.status === "OK")
        await options.mfa?.markFactorAsCompleteInSession({ session, factorId: FactorIds.TOTP, userContext });
      if (result.status === "OK" && !result.wasAlreadyVerified && options.config.revokeOtherSessionsOnDeviceVerified)
        await revokeOtherSessions(options, session, userContext);
      return result;
    },

    verifyTOTPPOST: async ({ session, options, totp, userContext }) => {
      const result = await options.recipeImplementation.verifyTOTP({
        tenantId: session.getTenantId(),
        userId: session.getUserId(),
        totp,
        userContext,
      });
      if (result.status === "OK")
        await options.mfa?.markFactorAsCompleteInSession({ session, factorId: FactorIds.TOTP, userContext });
      return result;
    },
  };
}

/**
 * Ends every session of the user but this one: whoever signed in before the authenticator existed (a password
 * alone) must sign in again and meet the new factor.
 */
async function revokeOtherSessions(
  options: APIOptions,
  session: SessionContainerInterface,
  userContext: UserContext,
): Promise<void> {
  const inventory = options.sessionInventory;
  if (inventory === undefined) return;
  const current = session.getHandle();
  const sessions = await inventory.listSessionsOfUser({ userId: session.getUserId(), userContext });
  for (const other of sessions) {
    if (other.sessionHandle !== current)
      await inventory.revokeSession({ sessionHandle: other.sessionHandle, userContext });
  }
}
