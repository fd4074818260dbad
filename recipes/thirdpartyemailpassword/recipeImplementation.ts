import type { RecipeInterface as EmailPasswordRecipeInterface } from "../emailpassword/index";
import type { RecipeInterface as ThirdPartyRecipeInterface } from "../thirdparty/index";
import type { RecipeInterface } from "./types";

/**
 * The original implementation: each method's functions as its own recipe's original answers them, and one view of
 * the users of both. The originals call their siblings through this recipe's final (overridden) functions, since
 * the inner recipes were handed views of it (see views.ts).
 */
export function makeRecipeImplementation(
  ep: EmailPasswordRecipeInterface,
  tp: ThirdPartyRecipeInterface,
): RecipeInterface {
  return {
    emailPasswordSignUp: (input) => ep.signUp(input),
    emailPasswordSignIn: (input) => ep.signIn(input),
    thirdPartySignInUp: (input) => tp.signInUp(input),
    thirdPartyGetProvider: (input) => tp.getProvider(input),
    getUserById: async (input) => (await ep.getUserById(input)) ?? (await tp.getUserById(input)),
    getUsersByEmail: async (input) => {
      const own = await ep.getUserByEmail(input);
      return [...(own === undefined ? [] : [own]), ...(await tp.getUsersByEmail(input))];
    },
    getUserByThirdPartyInfo: (input) => tp.getUserByThirdPartyInfo(input),
    createResetPasswordToken: (input) => ep.createResetPasswordToken(input),
    resetPasswordUsingToken: (input) => ep.resetPasswordUsingToken(input),
    updateEmailOrPassword: (input) => ep.updateEmailOrPassword(input),
  };
}
