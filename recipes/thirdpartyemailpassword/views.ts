import { DEFAULT_TENANT_ID } from "../../lib/seams";
import type {
  APIInterface as EmailPasswordAPIInterface,
  RecipeInterface as EmailPasswordRecipeInterface,
} from "../emailpassword/index";
import type {
  APIInterface as ThirdPartyAPIInterface,
  RecipeInterface as ThirdPartyRecipeInterface,
  ThirdPartyUser,
} from "../thirdparty/index";
import type { APIInterface, RecipeInterface, User } from "./types";

// The two inner recipes serve their routes and run their logic through these views, so that every call lands on
// this recipe's (possibly overridden) functions: one override here reaches both login methods.

const isEmailPasswordUser = (user: User | undefined): user is User & { thirdParty?: undefined } =>
  user !== undefined && user.thirdParty === undefined;
const isThirdPartyUser = (user: User | undefined): user is ThirdPartyUser => user?.thirdParty !== undefined;

// The tenant of an inner recipe's call: its input carries one once that recipe is tenant-scoped, else the default.
function withTenant<Input extends object>(input: Input): Input & { tenantId: string } {
  const given: unknown = "tenantId" in input ? input.tenantId : undefined;
  return { ...input, tenantId: typeof given === "string" ? given : DEFAULT_TENANT_ID };
}

/** The emailpassword recipe's functions, answered by this recipe's; users of providers are invisible to it. */
export function emailPasswordView(final: () => RecipeInterface): EmailPasswordRecipeInterface {
  return {
    signUp: (input) => final().emailPasswordSignUp(withTenant(input)),
    signIn: (input) => final().emailPasswordSignIn(withTenant(input)),
    getUserById: async (input) => {
      const user = await final().getUserById(withTenant(input));
      return isEmailPasswordUser(user) ? user : undefined;
    },
    getUserByEmail: async (input) => (await final().getUsersByEmail(withTenant(input))).find(isEmailPasswordUser),
    createResetPasswordToken: (input) => final().createResetPasswordToken(withTenant(input)),
    resetPasswordUsingToken: (input) => final().resetPasswordUsingToken(withTenant(input)),
    updateEmailOrPassword: (input) => final().updateEmailOrPassword(withTenant(input)),
  };
}

/** The thirdparty recipe's functions, answered by this recipe's; email/password users are invisible to it. */
export function thirdPartyView(final: () => RecipeInterface): ThirdPartyRecipeInterface {
  return {
    signInUp: (input) => final().thirdPartySignInUp(input),
    getProvider: (input) => final().thirdPartyGetProvider(input),
    getUserById: async (input) => {
      const user = await final().getUserById(input);
      return isThirdPartyUser(user) ? user : undefined;
    },
    getUsersByEmail: async (input) => (await final().getUsersByEmail(input)).filter(isThirdPartyUser),
    getUserByThirdPartyInfo: (input) => final().getUserByThirdPartyInfo(input),
  };
}

// An API view reads the final API on every access, so an API this recipe's override disabled (undefined) is
// disabled in the inner recipe's route table too. Until the final API exists (while the inner recipe checks what
// its override returned, before the other inner recipe is even built) it shows the inner original.
function apiView<View extends object, Final extends object>(
  final: () => Final | undefined,
  original: View,
  names: Record<keyof View, keyof Final>,
): View {
  const view = {} as View;
  for (const [inner, outer] of Object.entries(names) as [keyof View & string, keyof Final][]) {
    Object.defineProperty(view, inner, {
      enumerable: true,
      get: () => {
        const built = final();
        return built === undefined ? original[inner] : built[outer];
      },
    });
  }
  return view;
}

/** The emailpassword routes' APIs, answered by this recipe's. */
export function emailPasswordAPIView(
  final: () => APIInterface | undefined,
  original: EmailPasswordAPIInterface,
): EmailPasswordAPIInterface {
  return apiView<EmailPasswordAPIInterface, APIInterface>(final, original, {
    signUpPOST: "emailPasswordSignUpPOST",
    signInPOST: "emailPasswordSignInPOST",
    emailExistsGET: "emailPasswordEmailExistsGET",
    generatePasswordResetTokenPOST: "generatePasswordResetTokenPOST",
    passwordResetPOST: "passwordResetPOST",
  });
}

/** The thirdparty routes' APIs, answered by this recipe's. */
export function thirdPartyAPIView(
  final: () => APIInterface | undefined,
  original: ThirdPartyAPIInterface,
): ThirdPartyAPIInterface {
  return apiView<ThirdPartyAPIInterface, APIInterface>(final, original, {
    authorisationUrlGET: "authorisationUrlGET",
    signInUpPOST: "thirdPartySignInUpPOST",
    loginMethodsGET: "loginMethodsGET",
  });
}
