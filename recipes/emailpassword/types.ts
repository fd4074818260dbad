import type { EmailSender, SMTPSettings } from "../../lib/email/smtp";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import type { OverrideInput } from "../../lib/override";
import type { NormalisedSessionFeature, SessionFeature } from "../../lib/sessionFeature";
import type { UserContext } from "../../lib/types";
import type { ActionLimits, RateLimiter } from "../../lib/rateLimit/limiter";
import type { SessionContainerInterface, SessionService } from "../../lib/seams";

/** A user of the emailpassword recipe. */
export interface EmailPasswordUser {
  id: string;
  email: string;
  /** Milliseconds since the epoch. */
  timeJoined: number;
}

/** A sign-up form field: validate returns an error message, or undefined when the value is fine. */
export interface FormField {
  id: string;
  validate?: (value: unknown, userContext: UserContext) => Promise<string | undefined> | string | undefined;
  optional?: boolean;
}

/** A form field as the frontend sends it. */
export interface FormFieldInput {
  id: string;
  value: unknown;
}

/** The password reset email Latchkey asks the delivery interface to send. */
export interface PasswordResetEmailInput {
  type: "PASSWORD_RESET";
  user: { id: string; email: string };
  passwordResetLink: string;
  userContext: UserContext;
}

/** How emails go out; override sendEmail to use your own provider. */
export interface EmailDeliveryInterface {
  sendEmail(input: PasswordResetEmailInput): Promise<void>;
}

/** Which login method a sessionFeature hook is called for, with the form the user sent. */
export interface EmailPasswordLoginContext {
  loginMethod: "emailpassword";
  formFields: FormFieldInput[];
}

/** The argument of `EmailPassword.init()`; every option is optional. */
export interface TypeInput {
  /** The seeds' hooks: what they return becomes the new session's jwtPayload and sessionData. */
  sessionFeature?: SessionFeature<EmailPasswordUser, EmailPasswordLoginContext>;
  signUpFeature?: { formFields?: FormField[] };
  /** bcrypt cost factor; default 10. */
  bcryptCost?: number;
  /** Revoke every session of the user when they reset their password; default false. */
  revokeSessionsOnPasswordReset?: boolean;
  /** Minutes a password reset link is valid; default 60. */
  passwordResetTokenValidity?: number;
  emailDelivery?: {
    /** Send by SMTP; without it (and without an override) the reset link is logged in development only. */
    smtpSettings?: SMTPSettings;
    override?: (originalImplementation: EmailDeliveryInterface) => EmailDeliveryInterface;
  };
  /** Brute-force limits on sign-in and password reset, counted in the database; `false` turns them all off. */
  rateLimit?: false | RateLimitInput;
  override?: OverrideInput<RecipeInterface, APIInterface>;
}

/** Limits of one action; a limit set to `false` is off. */
export interface RateLimitRuleInput {
  /** Attempts per email in one window. */
  perEmail?: number | false;
  /** Attempts per client address (IPv6: per /64) in one window. */
  perIp?: number | false;
  /** Length of the window in seconds. */
  windowSeconds?: number;
}

/** `EmailPassword.init({ rateLimit })`: over a limit, the route answers 429 with Retry-After. */
export interface RateLimitInput {
  /** POST /signin; default 10 per email and 100 per address per 15 minutes. */
  signIn?: false | RateLimitRuleInput;
  /** POST /user/password/reset/token and POST /user/password/reset; default 5 per email and 30 per address per hour. */
  passwordReset?: false | RateLimitRuleInput;
  /**
   * Take the client address from X-Forwarded-For: `true` (one proxy) or the number of proxies in front of the app.
   * Default false: the socket's peer. Only turn it on behind a proxy that sets the header, or clients choose their address.
   */
  trustForwardedFor?: boolean | number;
}

/** TypeInput after validation. */
export interface TypeNormalisedInput {
  signUpFormFields: FormField[];
  bcryptCost: number;
  revokeSessionsOnPasswordReset: boolean;
  passwordResetTokenValidityMs: number;
  smtpSender: EmailSender | undefined;
  emailDeliveryOverride: ((originalImplementation: EmailDeliveryInterface) => EmailDeliveryInterface) | undefined;
  sessionFeature: NormalisedSessionFeature<EmailPasswordUser, EmailPasswordLoginContext>;
  rateLimit: NormalisedRateLimit;
}

/** The rate limits after validation: windows in milliseconds, an absent limit is off. */
export interface NormalisedRateLimit {
  signIn: ActionLimits;
  passwordReset: ActionLimits;
  /** How many proxies' X-Forwarded-For entries to trust; 0 uses the socket's peer. */
  trustedProxies: number;
}

/** The emailpassword recipe's overridable functions; each takes one input object with `userContext`. */
export interface RecipeInterface {
  signUp(input: {
    email: string;
    password: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; user: EmailPasswordUser } | { status: "EMAIL_ALREADY_EXISTS_ERROR" }>;
  signIn(input: {
    email: string;
    password: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; user: EmailPasswordUser } | { status: "WRONG_CREDENTIALS_ERROR" }>;
  getUserById(input: {
    userId: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<EmailPasswordUser | undefined>;
  getUserByEmail(input: {
    email: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<EmailPasswordUser | undefined>;
  /** A single-use token for the user's password reset; only its hash is stored. */
  createResetPasswordToken(input: {
    userId: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; token: string } | { status: "UNKNOWN_USER_ID_ERROR" }>;
  /** Consumes the token and sets the new password in one transaction. */
  resetPasswordUsingToken(input: {
    token: string;
    newPassword: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; userId: string } | { status: "RESET_PASSWORD_INVALID_TOKEN_ERROR" }>;
  updateEmailOrPassword(input: {
    userId: string;
    email?: string;
    password?: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK" } | { status: "UNKNOWN_USER_ID_ERROR" } | { status: "EMAIL_ALREADY_EXISTS_ERROR" }>;
}

/** What every emailpassword API handler is given. */
export interface APIOptions {
  recipeImplementation: RecipeInterface;
  emailDelivery: EmailDeliveryInterface;
  /** The brute-force counters the routes use (shared by every process through the database). */
  rateLimiter: RateLimiter;
  /** Sessions, from whichever recipe provides them (the Session recipe). */
  sessions: SessionService;
  config: TypeNormalisedInput;
  appInfo: { websiteDomain: string; websiteBasePath: string; appName: string };
  req: BaseRequest;
  res: BaseResponse;
}

/** A FIELD_ERROR answer. */
export interface FieldErrorResponse {
  status: "FIELD_ERROR";
  formFields: { id: string; error: string }[];
}

/** The emailpassword HTTP APIs; set one to undefined to disable its route. */
export interface APIInterface {
  signUpPOST:
    | undefined
    | ((input: {
        formFields: FormFieldInput[];
        options: APIOptions;
        tenantId: string;
        userContext: UserContext;
      }) => Promise<
        { status: "OK"; user: EmailPasswordUser; session: SessionContainerInterface } | FieldErrorResponse
      >);
  signInPOST:
    | undefined
    | ((input: {
        formFields: FormFieldInput[];
        options: APIOptions;
        tenantId: string;
        userContext: UserContext;
      }) => Promise<
        | { status: "OK"; user: EmailPasswordUser; session: SessionContainerInterface }
        | { status: "WRONG_CREDENTIALS_ERROR" }
        | FieldErrorResponse
      >);
  emailExistsGET:
    | undefined
    | ((input: {
        email: string;
        options: APIOptions;
        tenantId: string;
        userContext: UserContext;
      }) => Promise<{ status: "OK"; exists: boolean }>);
  generatePasswordResetTokenPOST:
    | undefined
    | ((input: {
        formFields: FormFieldInput[];
        options: APIOptions;
        tenantId: string;
        userContext: UserContext;
      }) => Promise<{ status: "OK" } | FieldErrorResponse>);
  passwordResetPOST:
    | undefined
    | ((input: {
        formFields: FormFieldInput[];
        token: string;
        options: APIOptions;
        tenantId: string;
        userContext: UserContext;
      }) => Promise<
        { status: "OK"; userId: string } | { status: "RESET_PASSWORD_INVALID_TOKEN_ERROR" } | FieldErrorResponse
      >);
}
