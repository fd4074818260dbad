import type { APIInterface as EmailPasswordAPIInterface } from "../../emailpassword/index";
import type { APIInterface as ThirdPartyAPIInterface } from "../../thirdparty/index";
import type { APIInterface } from "../types";

/** The original implementation of the HTTP APIs: each route as its own method's recipe originally answers it. */
export function makeAPIImplementation(ep: EmailPasswordAPIInterface, tp: ThirdPartyAPIInterface): APIInterface {
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
