import { LatchkeyError } from "../../../lib/error";
import type { SessionContainerInterface, VerifySessionOptions } from "../../../lib/seams";
import type { UserContext } from "../../../lib/types";
import { TOTPError } from "../error";
import type { APIInterface, APIOptions } from "../types";

/** One route's handler: parse the request, find the session, call the API implementation, answer. */
type Handler = (api: APIInterface, options: APIOptions, userContext: UserContext) => Promise<boolean>;

// These routes are how a session completes its second factor, so they cannot demand that it has; the implementation
// asks MultiFactorAuth what each one needs (setting up a device, removing one).
const noClaims: VerifySessionOptions = { overrideGlobalClaimValidators: () => [] };

/** The request's session; without one the Sessions capability answers 401 itself. */
async function requiredSession(options: APIOptions, userContext: UserContext): Promise<SessionContainerInterface> {
  const session = await options.sessions.getSession({
    req: options.req,
    res: options.res,
    options: noClaims,
    userContext,
  });
  if (session === undefined)
    throw new LatchkeyError("GENERAL_ERROR", "the Sessions provider returned no session where one is required");
  return session;
}

function stringField(body: Record<string, unknown>, name: string, required: true): string;
function stringField(body: Record<string, unknown>, name: string, required: false): string | undefined;
function stringField(body: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string") throw TOTPError.badInput(`${name} must be a string`);
  return value;
}

/** POST /totp/device { deviceName? }: a new unverified device for the session's user. */
export const createDevice: Handler = async (api, options, userContext) => {
  if (api.createDevicePOST === undefined) return false;
  const body = await options.req.getJSONBody();
  const deviceName = stringField(body, "deviceName", false);
  const session = await requiredSession(options, userContext);
  options.res.sendJSON(
    await api.createDevicePOST({ session, options, userContext, ...(deviceName !== undefined ? { deviceName } : {}) }),
  );
  return true;
};

/** GET /totp/device/list: the session user's devices. */
export const listDevices: Handler = async (api, options, userContext) => {
  if (api.listDevicesGET === undefined) return false;
  const session = await requiredSession(options, userContext);
  options.res.sendJSON(await api.listDevicesGET({ session, options, userContext }));
  return true;
};

/** POST /totp/device/remove { deviceName }. */
export const removeDevice: Handler = async (api, options, userContext) => {
  if (api.removeDevicePOST === undefined) return false;
  const body = await options.req.getJSONBody();
  const deviceName = stringField(body, "deviceName", true);
  const session = await requiredSession(options, userContext);
  options.res.sendJSON(await api.removeDevicePOST({ session, options, userContext, deviceName }));
  return true;
};

/** POST /totp/device/verify { deviceName, totp }: the first code of a new device. */
export const verifyDevice: Handler = async (api, options, userContext) => {
  if (api.verifyDevicePOST === undefined) return false;
  const body = await options.req.getJSONBody();
  const deviceName = stringField(body, "deviceName", true);
  const totp = stringField(body, "totp", true);
  const session = await requiredSession(options, userContext);
  options.res.sendJSON(await api.verifyDevicePOST({ session, options, userContext, deviceName, totp }));
  return true;
};

/** POST /totp/verify { totp }: a code of any of the user's verified devices. */
export const verifyTOTP: Handler = async (api, options, userContext) => {
  if (api.verifyTOTPPOST === undefined) return false;
  const body = await options.req.getJSONBody();
  const totp = stringField(body, "totp", true);
  const session = await requiredSession(options, userContext);
  options.res.sendJSON(await api.verifyTOTPPOST({ session, options, userContext, totp }));
  return true;
};
