import type { OverrideInput } from "../../lib/override";
import type { SessionFeature } from "../../lib/sessionFeature";
import type { UserContext } from "../../lib/types";
import type {
  APIInterface as EmailPasswordAPIInterface,
  EmailPasswordLoginContext,
  RecipeInterface as EmailPasswordRecipeInterface,
  TypeInput as EmailPasswordTypeInput,
} from "../emailpassword/index";
import type {
  APIInterface as ThirdPartyAPIInterface,
  ProviderInput,
  RecipeInterface as ThirdPartyRecipeInterface,
  ThirdPartyLoginContext,
  UserInfo,
} from "../thirdparty/index";

/** A user of either login method: `thirdParty` is set for users who signed up with a provider. */
export interface User {
  id: string;
  email: string;
  /** Milliseconds since the epoch. */
  timeJoined: number;
  thirdParty?: { id: string; userId: string };
}

/** Which method (and provider) a sessionFeature hook is called for. */
export type LoginContext = EmailPasswordLoginContext | ThirdPartyLoginContext;

/** The argument of `ThirdPartyEmailPassword.init()`. */
export interface TypeInput extends Omit<EmailPasswordTypeInput, "override" | "sessionFeature"> {
  /** The third-party providers; without any, the recipe offers email and password only. */
  providers?: ProviderInput[];
  /** The seeds' hooks: what they return becomes the new session's jwtPayload and sessionData, for both methods. */
  sessionFeature?: SessionFeature<User, LoginContext>;
  override?: OverrideInput<RecipeInterface, APIInterface>;
}

/** One of a recipe's functions, with `tenantId` in its input (every RecipeInterface input carries one). */
type InTenant<F> = F extends (input: infer Input) => infer Output
  ? (input: Input & { tenantId: string }) => Output
  : never;

/** The recipe's overridable functions: both methods' functions, and one view of the users of both. */
export interface RecipeInterface {
  emailPasswordSignUp: InTenant<EmailPasswordRecipeInterface["signUp"]>;
  emailPasswordSignIn: InTenant<EmailPasswordRecipeInterface["signIn"]>;
  thirdPartySignInUp: ThirdPartyRecipeInterface["signInUp"];
  thirdPartyGetProvider: ThirdPartyRecipeInterface["getProvider"];
  /** The user of either method with this id (ids are unique across tenants). */
  getUserById(input: { userId: string; tenantId: string; userContext: UserContext }): Promise<User | undefined>;
  /** Every user of the tenant with this email: at most one email/password user, and one per provider identity. */
  getUsersByEmail(input: { email: string; tenantId: string; userContext: UserContext }): Promise<User[]>;
  getUserByThirdPartyInfo: ThirdPartyRecipeInterface["getUserByThirdPartyInfo"];
  createResetPasswordToken: InTenant<EmailPasswordRecipeInterface["createResetPasswordToken"]>;
  resetPasswordUsingToken: InTenant<EmailPasswordRecipeInterface["resetPasswordUsingToken"]>;
  updateEmailOrPassword: InTenant<EmailPasswordRecipeInterface["updateEmailOrPassword"]>;
}

/** The recipe's HTTP APIs (the routes of both methods); set one to undefined to disable its route. */
export interface APIInterface {
  emailPasswordSignUpPOST: EmailPasswordAPIInterface["signUpPOST"];
  emailPasswordSignInPOST: EmailPasswordAPIInterface["signInPOST"];
  emailPasswordEmailExistsGET: EmailPasswordAPIInterface["emailExistsGET"];
  generatePasswordResetTokenPOST: EmailPasswordAPIInterface["generatePasswordResetTokenPOST"];
  passwordResetPOST: EmailPasswordAPIInterface["passwordResetPOST"];
  authorisationUrlGET: ThirdPartyAPIInterface["authorisationUrlGET"];
  thirdPartySignInUpPOST: ThirdPartyAPIInterface["signInUpPOST"];
  loginMethodsGET: ThirdPartyAPIInterface["loginMethodsGET"];
}

export type { UserInfo };
