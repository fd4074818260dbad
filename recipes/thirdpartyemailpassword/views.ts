import type { APIInterface as EmailPasswordAPIInterface, RecipeInterface as EmailPasswordRecipeInterface } from "../emailpassword/index";
import type { APIInterface as ThirdPartyAPIInterface, RecipeInterface as ThirdPartyRecipeInterface, ThirdPartyUser } from "../thirdparty/index";
import type { APIInterface, RecipeInterface, User } from "./types";

// The two inner recipes serve their routes and run their logic through these views, so that every call lands on
// this recipe's (possibly overridden) functions: one override here reaches both login methods.

const isEmailPasswordUser = (user: User | undefined): user is User & { thirdParty?: undefined } => user !== undefined && user.thirdParty === undefined;
const isThirdPartyUser = (user: User | undefined): user is ThirdPartyUser => user?.thirdParty !== undefined;

/** The emailpassword recipe's functions, answered by this recipe's; users of providers are invisible to it. */
export function emailPasswordView(final: () => RecipeInterface): EmailPasswordRecipeInterface {
  return {
    signUp: (input) => final().emailPasswordSignUp(input),
    signIn: (input) => final().emailPasswordSignIn(input),
    getUserById: async (input) => {
      const user = await final().getUserById(input);
      return isEmailPasswordUser(user) ? user : undefined;
    },
    getUserByEmail: async (input) => (await final().getUsersByEmail(input)).find(isEmailPasswordUser),
    createResetPasswordToken: (input) => final().createResetPasswordToken(input),
    resetPasswordUsingToken: (input) => final().resetPasswordUsingToken(input),
    updateEmailOrPassword: (input) => final().updateEmailOrPassword(input),
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
// disabled in the inner recipe's route table too.
function apiView<View extends object, Final extends object>(final: () => Final, names: Record<keyof View, keyof Final>): View {
  const view = {} as View;
  for (const [inner, outer] of Object.entries(names) as [keyof View & string, keyof Final][]) {
    Object.defineProperty(view, inner, { enumerable: true, get: () => final()[outer] });
  }
  return view;
}

/** The emailpassword routes' APIs, answered by this recipe's. */
export function emailPasswordAPIView(final: () => APIInterface): EmailPasswordAPIInterface {
  return apiView<EmailPasswordAPIInterface, APIInterface>(final, {
    signUpPOST: "emailPasswordSignUpPOST",
    signInPOST: "emailPasswordSignInPOST",
    emailExistsGET: "emailPasswordEmailExistsGET",
    generatePasswordResetTokenPOST: "generatePasswordResetTokenPOST",
    passwordResetPOST: "passwordResetPOST",
  });
}

/** The thirdparty routes' APIs, answered by this recipe's. */
export function thirdPartyAPIView(final: () => APIInterface): ThirdPartyAPIInterface {
  return apiView<ThirdPartyAPIInterface, APIInterface>(final, {
    authorisationUrlGET: "authorisationUrlGET",
    signInUpPOST: "thirdPartySignInUpPOST",
    loginMethodsGET: "loginMethodsGET",
  });
}
