import type { EmailSender, SMTPSettings } from "../../lib/email/smtp";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import type { OverrideInput } from "../../lib/override";
import type { UserContext } from "../../lib/types";
import type { SessionContainerInterface, SessionService } from "../../lib/seams";

/** The verification email Latchkey asks the delivery interface to send. */
export interface EmailVerificationEmailInput {
  type: "EMAIL_VERIFICATION";
  user: { id: string; email: string };
  emailVerifyLink: string;
  userContext: UserContext;
}

/** How verification emails go out; override sendEmail to use your own provider. */
export interface EmailDeliveryInterface {
  sendEmail(input: EmailVerificationEmailInput): Promise<void>;
}

/** The argument of `EmailVerification.init()`. */
export interface TypeInput {
  /** REQUIRED: routes behind verifySession() answer 403 until the email is verified. OPTIONAL: the claim only. */
  mode: "REQUIRED" | "OPTIONAL";
  /** Minutes a verification link is valid; default 24 hours. */
  emailVerifyTokenValidity?: number;
  emailDelivery?: {
    smtpSettings?: SMTPSettings;
    override?: (originalImplementation: EmailDeliveryInterface) => EmailDeliveryInterface;
  };
  override?: OverrideInput<RecipeInterface, APIInterface>;
}

/** TypeInput after validation. */
export interface TypeNormalisedInput {
  mode: "REQUIRED" | "OPTIONAL";
  tokenValidityMs: number;
  smtpSender: EmailSender | undefined;
  emailDeliveryOverride: ((originalImplementation: EmailDeliveryInterface) => EmailDeliveryInterface) | undefined;
}

/** The emailverification recipe's overridable functions; each takes one input object with `userContext`. */
export interface RecipeInterface {
  createEmailVerificationToken(input: {
    userId: string;
    email: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; token: string } | { status: "EMAIL_ALREADY_VERIFIED_ERROR" }>;
  verifyEmailUsingToken(input: {
    token: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<
    { status: "OK"; user: { id: string; email: string } } | { status: "EMAIL_VERIFICATION_INVALID_TOKEN_ERROR" }
  >;
  isEmailVerified(input: {
    userId: string;
    email: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<boolean>;
  revokeEmailVerificationTokens(input: {
    userId: string;
    email: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK" }>;
  unverifyEmail(input: {
    userId: string;
    email: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK" }>;
}

/** What every emailverification API handler is given. */
export interface APIOptions {
  recipeImplementation: RecipeInterface;
  emailDelivery: EmailDeliveryInterface;
  /** Sessions, from whichever recipe provides them (the Session recipe). */
  sessions: SessionService;
  /** The user's email address, from the login method recipes (undefined: the user has none). */
  emailForUser(userId: string, userContext: UserContext): Promise<string | undefined>;
  config: TypeNormalisedInput;
  appInfo: { websiteDomain: string; websiteBasePath: string };
  req: BaseRequest;
  res: BaseResponse;
}

/** The emailverification HTTP APIs; set one to undefined to disable its route. */
export interface APIInterface {
  generateEmailVerifyTokenPOST:
    | undefined
    | ((input: {
        session: SessionContainerInterface;
        options: APIOptions;
        tenantId: string;
        userContext: UserContext;
      }) => Promise<{ status: "OK" } | { status: "EMAIL_ALREADY_VERIFIED_ERROR" }>);
  verifyEmailPOST:
    | undefined
    | ((input: {
        token: string;
        session: SessionContainerInterface | undefined;
        options: APIOptions;
        tenantId: string;
        userContext: UserContext;
      }) => Promise<
        { status: "OK"; user: { id: string; email: string } } | { status: "EMAIL_VERIFICATION_INVALID_TOKEN_ERROR" }
      >);
  isEmailVerifiedGET:
    | undefined
    | ((input: {
        session: SessionContainerInterface;
        options: APIOptions;
        tenantId: string;
        userContext: UserContext;
      }) => Promise<{ status: "OK"; isVerified: boolean }>);
}
