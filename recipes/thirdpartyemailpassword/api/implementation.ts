import { makeEmailPasswordAPIImplementation } from "../../emailpassword/index";
import { makeThirdPartyAPIImplementation } from "../../thirdparty/index";
import type { APIInterface } from "../types";

/** The original implementation of the HTTP APIs: each route as its own method's recipe answers it. */
export function makeAPIImplementation(): APIInterface {
  const ep = makeEmailPasswordAPIImplementation();
  const tp = makeThirdPartyAPIImplementation();
  return {
    emailPasswordSignUpPOST: ep.signUpPOST,
    emailPasswordSignInPOST: ep.signInPOST,
    emailPasswordEmailExistsGET: ep.emailExistsGET,
    generatePasswordResetTokenPOST: ep.generatePasswordResetTokenPOST,
    passwordResetPOST: ep.passwordResetPOST,
    authorisationUrlGET: tp.authorisationUrlGET,
    thirdPartySignInUpPOST: tp.signInUpPOST,
    loginMethodsGET: tp.loginMethodsGET,
  };
}
