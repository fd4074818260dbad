import type { RecipeListFunction } from "../../lib/recipeModule";
import { DEFAULT_TENANT_ID } from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import { PasswordlessError } from "./error";
import { PasswordlessRecipe } from "./recipe";
import type { ContactInput, PasswordlessUser, RecipeInterface, TypeInput } from "./types";

export type {
  APIInterface,
  APIOptions,
  CodeInfo,
  ConsumeCodeInput,
  ConsumeCodeResult,
  ContactInput,
  ContactMethod,
  CreatedCode,
  DeviceInfo,
  EmailDeliveryInterface,
  FlowType,
  PasswordlessEmailInput,
  PasswordlessSmsInput,
  PasswordlessUser,
  RateLimitInput,
  RateLimitRuleInput,
  RecipeInterface,
  SmsDeliveryInterface,
  TypeInput,
} from "./types";
export type { SMTPSettings } from "../../lib/email/smtp";
export type { PasswordlessErrorPayloads, PasswordlessErrorType, PasswordlessErrorUnion } from "./error";
export { PasswordlessError as Error };

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;
type Common = { tenantId?: string; userContext?: UserContext };

function impl(): RecipeInterface {
  return PasswordlessRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

function common(input: Common): { tenantId: string; userContext: UserContext } {
  return { tenantId: input.tenantId ?? DEFAULT_TENANT_ID, userContext: input.userContext ?? {} };
}

/**
 * Adds the passwordless recipe to `Latchkey.init`'s recipe list (it needs the Session recipe too).
 *
 * @example
 * ```ts
 * Passwordless.init({ contactMethod: "EMAIL", flowType: "USER_INPUT_CODE_AND_MAGIC_LINK" });
 * ```
 */
export function init(config: TypeInput): RecipeListFunction {
  return (context) => new PasswordlessRecipe(context, config);
}

/**
 * Starts a flow for an email or phone: the code, link code and device id to send your own way.
 *
 * @example
 * ```ts
 * const code = await Passwordless.createCode({ email: "ada@example.com" });
 * await sendEmail(`Your code: ${code.userInputCode}`); // keep code.deviceId and code.preAuthSessionId
 * ```
 */
export function createCode(input: ContactInput & Common & { userInputCode?: string }): Result<"createCode"> {
  return impl().createCode({ ...input, ...common(input) });
}

/**
 * A further code for a device (a resend); RESTART_FLOW_ERROR when the device is gone.
 *
 * @example
 * ```ts
 * const again = await Passwordless.createNewCodeForDevice({ deviceId });
 * if (again.status === "RESTART_FLOW_ERROR") throw new Error("start over: the code expired");
 * ```
 */
export function createNewCodeForDevice(
  input: { deviceId: string; userInputCode?: string } & Common,
): Result<"createNewCodeForDevice"> {
  return impl().createNewCodeForDevice({ ...input, ...common(input) });
}

/**
 * Consumes a typed code (with its device) or a link code, and signs the user in or up (no session).
 *
 * @example
 * ```ts
 * const result = await Passwordless.consumeCode({ userInputCode: "123456", deviceId, preAuthSessionId });
 * if (result.status === "OK") console.log(result.user.id, result.createdNewRecipeUser);
 * ```
 */
export function consumeCode(
  input: (
    | { userInputCode: string; deviceId: string; preAuthSessionId: string }
    | { linkCode: string; preAuthSessionId: string }
  ) &
    Common,
): Result<"consumeCode"> {
  return impl().consumeCode({ ...input, ...common(input) });
}

/**
 * The passwordless user with this id, or undefined.
 *
 * @example
 * ```ts
 * const user = await Passwordless.getUserById(session.getUserId());
 * console.log(user?.email ?? user?.phoneNumber);
 * ```
 */
export function getUserById(userId: string, userContext: UserContext = {}): Promise<PasswordlessUser | undefined> {
  return impl().getUserById({ userId, tenantId: DEFAULT_TENANT_ID, userContext });
}

/**
 * The passwordless user with this email in the tenant, or undefined.
 *
 * @example
 * ```ts
 * const user = await Passwordless.getUserByEmail({ email: "ada@example.com" });
 * ```
 */
export function getUserByEmail(input: { email: string } & Common): Promise<PasswordlessUser | undefined> {
  return impl().getUserByEmail({ ...input, ...common(input) });
}

/**
 * The passwordless user with this phone number in the tenant, or undefined.
 *
 * @example
 * ```ts
 * const user = await Passwordless.getUserByPhoneNumber({ phoneNumber: "+14155550123" });
 * ```
 */
export function getUserByPhoneNumber(input: { phoneNumber: string } & Common): Promise<PasswordlessUser | undefined> {
  return impl().getUserByPhoneNumber({ ...input, ...common(input) });
}

/**
 * Sets or (with null) clears a user's email or phone number; a user keeps at least one.
 *
 * @example
 * ```ts
 * const result = await Passwordless.updateUser({ userId, email: "ada@new.example", phoneNumber: null });
 * if (result.status !== "OK") throw new Error(result.status); // e.g. EMAIL_ALREADY_EXISTS_ERROR
 * ```
 */
export function updateUser(
  input: { userId: string; email?: string | null; phoneNumber?: string | null } & Common,
): Result<"updateUser"> {
  return impl().updateUser({ ...input, ...common(input) });
}

/**
 * Revokes every code of an email or phone number.
 *
 * @example
 * ```ts
 * await Passwordless.revokeAllCodes({ email: "ada@example.com" }); // every code and link sent to it stops working
 * ```
 */
export function revokeAllCodes(input: ContactInput & Common): Result<"revokeAllCodes"> {
  return impl().revokeAllCodes({ ...input, ...common(input) });
}

/**
 * Revokes one code (codeId) or a whole device (preAuthSessionId).
 *
 * @example
 * ```ts
 * await Passwordless.revokeCode({ preAuthSessionId }); // the whole flow of one device
 * ```
 */
export function revokeCode(input: ({ codeId: string } | { preAuthSessionId: string }) & Common): Result<"revokeCode"> {
  return impl().revokeCode({ ...input, ...common(input) });
}

/**
 * The flows in progress for an email.
 *
 * @example
 * ```ts
 * const flows = await Passwordless.listCodesByEmail({ email: "ada@example.com" });
 * console.log(flows.length, "sign-ins in progress");
 * ```
 */
export function listCodesByEmail(input: { email: string } & Common): Result<"listCodesByEmail"> {
  return impl().listCodesByEmail({ ...input, ...common(input) });
}

/**
 * The flows in progress for a phone number.
 *
 * @example
 * ```ts
 * const flows = await Passwordless.listCodesByPhoneNumber({ phoneNumber: "+14155550123" });
 * ```
 */
export function listCodesByPhoneNumber(input: { phoneNumber: string } & Common): Result<"listCodesByPhoneNumber"> {
  return impl().listCodesByPhoneNumber({ ...input, ...common(input) });
}

/**
 * The flow of a device id, or undefined.
 *
 * @example
 * ```ts
 * const flow = await Passwordless.listCodesByDeviceId({ deviceId });
 * if (flow === undefined) console.log("expired or used");
 * ```
 */
export function listCodesByDeviceId(input: { deviceId: string } & Common): Result<"listCodesByDeviceId"> {
  return impl().listCodesByDeviceId({ ...input, ...common(input) });
}

/**
 * The flow of a preAuthSessionId, or undefined.
 *
 * @example
 * ```ts
 * const flow = await Passwordless.listCodesByPreAuthSessionId({ preAuthSessionId });
 * ```
 */
export function listCodesByPreAuthSessionId(
  input: { preAuthSessionId: string } & Common,
): Result<"listCodesByPreAuthSessionId"> {
  return impl().listCodesByPreAuthSessionId({ ...input, ...common(input) });
}

/**
 * A magic link (a new code) for an email or phone, to send your own way.
 *
 * @example
 * ```ts
 * const link = await Passwordless.createMagicLink({ email: "ada@example.com" });
 * await sendEmail(`Sign in: ${link}`);
 * ```
 */
export function createMagicLink(input: ContactInput & Common): Result<"createMagicLink"> {
  return impl().createMagicLink({ ...input, ...common(input) });
}

/**
 * Signs an email or phone in or up on the server, without a message or a session.
 *
 * @example
 * ```ts
 * const { user, createdNewRecipeUser } = await Passwordless.signInUp({ email: "ada@example.com" });
 * ```
 */
export function signInUp(input: ContactInput & Common): Result<"signInUp"> {
  return impl().signInUp({ ...input, ...common(input) });
}

const Passwordless = {
  init,
  createCode,
  createNewCodeForDevice,
  consumeCode,
  getUserById,
  getUserByEmail,
  getUserByPhoneNumber,
  updateUser,
  revokeAllCodes,
  revokeCode,
  listCodesByEmail,
  listCodesByPhoneNumber,
  listCodesByDeviceId,
  listCodesByPreAuthSessionId,
  createMagicLink,
  signInUp,
  Error: PasswordlessError,
};

export default Passwordless;
