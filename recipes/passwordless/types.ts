import type { EmailSender, SMTPSettings } from "../../lib/email/smtp";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import type { OverrideInput } from "../../lib/override";
import type { ActionLimits, RateLimiter } from "../../lib/rateLimit/limiter";
import type { EmailVerifier, MultiFactorAuthService, SessionContainerInterface, SessionService } from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import type { User } from "../../lib/users";

/** How users reach their codes: SuperTokens' names. */
export type ContactMethod = "EMAIL" | "PHONE" | "EMAIL_OR_PHONE";

/** What the message carries: a code to type, a link to follow, or both. */
export type FlowType = "USER_INPUT_CODE" | "MAGIC_LINK" | "USER_INPUT_CODE_AND_MAGIC_LINK";

/** A user of the passwordless recipe: an email, a phone number (E.164), or both. */
export interface PasswordlessUser {
  id: string;
  email?: string;
  phoneNumber?: string;
  tenantId: string;
  /** Milliseconds since the epoch. */
  timeJoined: number;
}

/** Who a code is for: exactly one of an email or a phone number. */
export type ContactInput = { email: string; phoneNumber?: undefined } | { phoneNumber: string; email?: undefined };

/** One code of a device, as the list functions return it (never the code itself: only its hash is stored). */
export interface CodeInfo {
  codeId: string;
  /** Milliseconds since the epoch. */
  timeCreated: number;
  /** Milliseconds. */
  codeLifetime: number;
}

/** A sign-in attempt in flight: one email or phone, its codes, and how many wrong codes were typed. */
export interface DeviceInfo {
  preAuthSessionId: string;
  failedCodeInputAttemptCount: number;
  email?: string;
  phoneNumber?: string;
  codes: CodeInfo[];
}

/** A fresh code: the secrets exist only in this answer (and the message that carries them). */
export interface CreatedCode {
  status: "OK";
  preAuthSessionId: string;
  codeId: string;
  deviceId: string;
  userInputCode: string;
  linkCode: string;
  /** Milliseconds. */
  codeLifetime: number;
  /** Milliseconds since the epoch. */
  timeCreated: number;
}

/** What consumeCode answers; the error shapes are the ones the frontend SDK shows. */
export type ConsumeCodeResult =
  | {
      status: "OK";
      createdNewRecipeUser: boolean;
      user: PasswordlessUser;
      consumedDevice: {
        preAuthSessionId: string;
        failedCodeInputAttemptCount: number;
        email?: string;
        phoneNumber?: string;
      };
    }
  | {
      status: "INCORRECT_USER_INPUT_CODE_ERROR" | "EXPIRED_USER_INPUT_CODE_ERROR";
      failedCodeInputAttemptCount: number;
      maximumCodeInputAttempts: number;
    }
  | { status: "RESTART_FLOW_ERROR" };

/** The input of consumeCode: a typed code with its device, or a link's code. */
export type ConsumeCodeInput = (
  | { userInputCode: string; deviceId: string; preAuthSessionId: string; linkCode?: undefined }
  | { linkCode: string; preAuthSessionId: string; userInputCode?: undefined; deviceId?: undefined }
) & {
  /**
   * A signed-in session completing a second factor (the SDK's `shouldTryLinkingWithSessionUser`): the code is checked
   * and used up, but no user is signed in or up; the answer's `user` is the session's user.
   */
  session?: SessionContainerInterface;
};

/** The login email Latchkey asks the email delivery to send (SuperTokens' shape). */
export interface PasswordlessEmailInput {
  type: "PASSWORDLESS_LOGIN";
  email: string;
  /** Set when the flow includes a code to type. */
  userInputCode?: string;
  /** Set when the flow includes a magic link. */
  urlWithLinkCode?: string;
  /** Milliseconds. */
  codeLifetime: number;
  preAuthSessionId: string;
  tenantId: string;
  userContext: UserContext;
}

/** The login SMS Latchkey asks the SMS delivery to send. */
export interface PasswordlessSmsInput {
  type: "PASSWORDLESS_LOGIN";
  phoneNumber: string;
  userInputCode?: string;
  urlWithLinkCode?: string;
  codeLifetime: number;
  preAuthSessionId: string;
  tenantId: string;
  userContext: UserContext;
}

/** How login emails go out; override sendEmail to use your own provider. */
export interface EmailDeliveryInterface {
  sendEmail(input: PasswordlessEmailInput): Promise<void>;
}

/** How login SMS go out: the app implements sendSms (Latchkey ships no SMS provider). */
export interface SmsDeliveryInterface {
  sendSms(input: PasswordlessSmsInput): Promise<void>;
}

/** Limits of one action; a limit set to `false` is off. */
export interface RateLimitRuleInput {
  /** Attempts per email or phone number in one window. */
  perContact?: number | false;
  /** Attempts per client address (IPv6: per /64) in one window. */
  perIp?: number | false;
  /** Length of the window in seconds. */
  windowSeconds?: number;
}

/** `Passwordless.init({ rateLimit })`: over a limit, the route answers 429 with Retry-After. */
export interface RateLimitInput {
  /** POST /signinup/code and /signinup/code/resend (each sends a message); default 10 per contact, 50 per address per hour. */
  createCode?: false | RateLimitRuleInput;
  /** POST /signinup/code/consume; default 100 per address per 15 minutes (the attempt limit guards each device). */
  consumeCode?: false | RateLimitRuleInput;
  /** As EmailPassword's: take the client address from X-Forwarded-For (`true` or the number of proxies). */
  trustForwardedFor?: boolean | number;
}

/** The argument of `Passwordless.init()`. */
export interface TypeInput {
  contactMethod: ContactMethod;
  flowType: FlowType;
  /** An error message for an email no user may have, or undefined; default: a plain shape check. */
  validateEmailAddress?: (email: string, tenantId: string) => Promise<string | undefined> | string | undefined;
  /** An error message for a phone number no user may have, or undefined; default: a valid number in E.164 form. */
  validatePhoneNumber?: (phoneNumber: string, tenantId: string) => Promise<string | undefined> | string | undefined;
  /** Your own code to type (default: 6 random digits); called once per code. */
  getCustomUserInputCode?: (tenantId: string, userContext: UserContext) => Promise<string> | string;
  /** Minutes a code and its link stay valid; default 15. */
  codeLifetime?: number;
  /** Wrong codes a device may take before the flow restarts; default 5. */
  maximumCodeInputAttempts?: number;
  emailDelivery?: {
    /** Send by SMTP; without it (and without an override) the message is logged in development only. */
    smtpSettings?: SMTPSettings;
    override?: (originalImplementation: EmailDeliveryInterface) => EmailDeliveryInterface;
  };
  smsDelivery?: {
    /** Your SMS provider; without it the message is logged in development only. */
    service?: SmsDeliveryInterface;
    override?: (originalImplementation: SmsDeliveryInterface) => SmsDeliveryInterface;
  };
  rateLimit?: false | RateLimitInput;
  override?: OverrideInput<RecipeInterface, APIInterface>;
}

/** The rate limits after validation (per contact is kept in ActionLimits' perEmail slot). */
export interface NormalisedRateLimit {
  createCode: ActionLimits;
  consumeCode: ActionLimits;
  trustedProxies: number;
}

/** TypeInput after validation. */
export interface TypeNormalisedInput {
  contactMethod: ContactMethod;
  flowType: FlowType;
  validateEmailAddress: (email: string, tenantId: string) => Promise<string | undefined>;
  validatePhoneNumber: (phoneNumber: string, tenantId: string) => Promise<string | undefined>;
  getCustomUserInputCode: ((tenantId: string, userContext: UserContext) => Promise<string> | string) | undefined;
  codeLifetimeMs: number;
  maximumCodeInputAttempts: number;
  smtpSender: EmailSender | undefined;
  emailDeliveryOverride: ((originalImplementation: EmailDeliveryInterface) => EmailDeliveryInterface) | undefined;
  smsService: SmsDeliveryInterface | undefined;
  smsDeliveryOverride: ((originalImplementation: SmsDeliveryInterface) => SmsDeliveryInterface) | undefined;
  rateLimit: NormalisedRateLimit;
}

type WithTenant<T> = T & { tenantId: string; userContext: UserContext };

/** The passwordless recipe's overridable functions; each takes one input object with `tenantId` and `userContext`. */
export interface RecipeInterface {
  /** Starts a flow: a new device for the email or phone, with its first code. */
  createCode(input: WithTenant<ContactInput & { userInputCode?: string }>): Promise<CreatedCode>;
  /** A further code for a device (a resend); RESTART_FLOW_ERROR when the device is gone. */
  createNewCodeForDevice(
    input: WithTenant<{ deviceId: string; userInputCode?: string }>,
  ): Promise<CreatedCode | { status: "RESTART_FLOW_ERROR" } | { status: "USER_INPUT_CODE_ALREADY_USED_ERROR" }>;
  /** Checks the code, ends the device (single use) and signs the user in or up. */
  consumeCode(input: WithTenant<ConsumeCodeInput>): Promise<ConsumeCodeResult>;
  getUserById(input: WithTenant<{ userId: string }>): Promise<PasswordlessUser | undefined>;
  getUserByEmail(input: WithTenant<{ email: string }>): Promise<PasswordlessUser | undefined>;
  getUserByPhoneNumber(input: WithTenant<{ phoneNumber: string }>): Promise<PasswordlessUser | undefined>;
  /** Sets or (with null) removes the user's email or phone number; a user always keeps at least one. */
  updateUser(
    input: WithTenant<{ userId: string; email?: string | null; phoneNumber?: string | null }>,
  ): Promise<
    | { status: "OK" }
    | { status: "UNKNOWN_USER_ID_ERROR" }
    | { status: "EMAIL_ALREADY_EXISTS_ERROR" }
    | { status: "PHONE_NUMBER_ALREADY_EXISTS_ERROR" }
  >;
  /** Revokes every device (and code) of the email or phone number. */
  revokeAllCodes(input: WithTenant<ContactInput>): Promise<{ status: "OK" }>;
  /** Revokes one code (by id), or every code of a device (by preAuthSessionId). */
  revokeCode(
    input: WithTenant<
      { codeId: string; preAuthSessionId?: undefined } | { preAuthSessionId: string; codeId?: undefined }
    >,
  ): Promise<{ status: "OK" }>;
  listCodesByEmail(input: WithTenant<{ email: string }>): Promise<DeviceInfo[]>;
  listCodesByPhoneNumber(input: WithTenant<{ phoneNumber: string }>): Promise<DeviceInfo[]>;
  listCodesByDeviceId(input: WithTenant<{ deviceId: string }>): Promise<DeviceInfo | undefined>;
  listCodesByPreAuthSessionId(input: WithTenant<{ preAuthSessionId: string }>): Promise<DeviceInfo | undefined>;
  /** A magic link for the email or phone (a new code), to send your own way. */
  createMagicLink(input: WithTenant<ContactInput>): Promise<string>;
  /** Signs the email or phone in or up on the server, without a message (no session). */
  signInUp(
    input: WithTenant<ContactInput>,
  ): Promise<{ status: "OK"; createdNewRecipeUser: boolean; user: PasswordlessUser }>;
}

/** What every passwordless API handler is given. */
export interface APIOptions {
  recipeImplementation: RecipeInterface;
  emailDelivery: EmailDeliveryInterface;
  smsDelivery: SmsDeliveryInterface;
  rateLimiter: RateLimiter;
  sessions: SessionService;
  /** The email verification recipe, when listed: a consumed email code verifies the email. */
  emailVerifier: EmailVerifier | undefined;
  config: TypeNormalisedInput;
  appInfo: { websiteDomain: string; websiteBasePath: string; appName: string };
  /** MultiFactorAuth when it is in the recipe list: a code consumed by a signed-in session completes a factor. */
  mfa: MultiFactorAuthService | undefined;
  /** The user with every login method (a second factor's code must go to one of the session user's addresses). */
  getUser: (userId: string, userContext: UserContext) => Promise<User | undefined>;
  /** The user as /signinup/code/consume sends it (FDI 3.x: the core's user, with every login method). */
  userForResponse: (user: PasswordlessUser, userContext: UserContext) => Promise<User>;
  req: BaseRequest;
  res: BaseResponse;
}

type APIInput<T> = T & { options: APIOptions; tenantId: string; userContext: UserContext };

/** What an override answers to refuse a sign-in or sign-up (the SDK shows `reason`); the original never does. */
export interface SignInUpNotAllowedResponse {
  status: "SIGN_IN_UP_NOT_ALLOWED";
  reason: string;
}

/** A validation failure shown to the user, as SuperTokens answers it. */
export interface GeneralErrorResponse {
  status: "GENERAL_ERROR";
  message: string;
}

/** The passwordless HTTP APIs; set one to undefined to disable its route (e.g. the `exists` routes). */
export interface APIInterface {
  createCodePOST:
    | undefined
    | ((
        input: APIInput<ContactInput & { session?: SessionContainerInterface }>,
      ) => Promise<
        | { status: "OK"; deviceId: string; preAuthSessionId: string; flowType: FlowType }
        | SignInUpNotAllowedResponse
        | GeneralErrorResponse
      >);
  resendCodePOST:
    | undefined
    | ((
        input: APIInput<{ deviceId: string; preAuthSessionId: string }>,
      ) => Promise<{ status: "OK" } | { status: "RESTART_FLOW_ERROR" } | GeneralErrorResponse>);
  consumeCodePOST:
    | undefined
    | ((input: APIInput<ConsumeCodeInput>) => Promise<
        | {
            status: "OK";
            createdNewRecipeUser: boolean;
            user: PasswordlessUser;
            session: SessionContainerInterface;
          }
        | Exclude<ConsumeCodeResult, { status: "OK" }>
        | SignInUpNotAllowedResponse
        | GeneralErrorResponse
      >);
  emailExistsGET: undefined | ((input: APIInput<{ email: string }>) => Promise<{ status: "OK"; exists: boolean }>);
  phoneNumberExistsGET:
    undefined | ((input: APIInput<{ phoneNumber: string }>) => Promise<{ status: "OK"; exists: boolean }>);
}
