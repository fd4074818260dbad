import type { Database } from "../../lib/db/database";
import { makeEmailPasswordRecipeImplementation } from "../emailpassword/index";
import type { TypeNormalisedInput as EmailPasswordConfig } from "../emailpassword/types";
import { makeThirdPartyRecipeImplementation } from "../thirdparty/index";
import type { TypeNormalisedInput as ThirdPartyConfig } from "../thirdparty/types";
import type { RecipeInterface } from "./types";
import { emailPasswordView } from "./views";

/** The original implementation: each method's own functions, and one view of the users of both. */
export function makeRecipeImplementation(db: Database, emailPassword: EmailPasswordConfig, thirdParty: ThirdPartyConfig, self: () => RecipeInterface): RecipeInterface {
  // The emailpassword logic calls its siblings (getUserByEmail in signIn...) through this recipe's final functions.
  const ep = makeEmailPasswordRecipeImplementation(db, emailPassword, () => emailPasswordView(self));
  const tp = makeThirdPartyRecipeImplementation(db, thirdParty);
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
