import type { Capabilities } from "../../../lib/capabilities";
import { isStorableText } from "../../../lib/db/text";
import { emailProblem } from "../../../lib/email/address";
import { LatchkeyError } from "../../../lib/error";
import { FactorIds, Sessions, setCompletedFirstFactor } from "../../../lib/seams";
import { sessionValues } from "../../../lib/sessionFeature";
import type { UserContext } from "../../../lib/types";
import { resolveProviderConfig } from "../providers/config";
import { nonceFor } from "../providers/pkce";
import type { APIInterface, OAuthTokens, SignInUpRefusal, ThirdPartyLoginContext, TypeProvider } from "../types";

// The domain of the stand-in email of a user whose provider gives none (when requireEmail is false).
const FAKE_EMAIL_DOMAIN = "fakeemail.latchkey.invalid";

/** The original implementation of the thirdparty HTTP APIs; sessions come from whichever recipe provides them. */
export function makeAPIImplementation(capabilities: Capabilities): APIInterface {
  return {
    authorisationUrlGET: async ({ provider, redirectURIOnProviderDashboard, userContext }) => {
      const { urlWithQueryParams, pkceCodeVerifier } = await provider.getAuthorisationRedirectURL({
        redirectURIOnProviderDashboard,
        userContext,
      });
      return { status: "OK", urlWithQueryParams, ...(pkceCodeVerifier === undefined ? {} : { pkceCodeVerifier }) };
    },

    signInUpPOST: async (input) => {
      const { provider, tenantId, options, userContext } = input;
      let oAuthTokens = input.oAuthTokens;
      let expectedNonce: string | undefined;
      if (input.redirectURIInfo !== undefined) {
        // The provider sent the user back with an error (they cancelled, or the app is misconfigured there).
        if (input.redirectURIInfo.redirectURIQueryParams.error !== undefined) {
          return { status: "GENERAL_ERROR", message: "The login provider did not complete the sign-in" };
        }
        oAuthTokens = await provider.exchangeAuthCodeForOAuthTokens({
          redirectURIInfo: input.redirectURIInfo,
          userContext,
        });
        const verifier = input.redirectURIInfo.pkceCodeVerifier;
        expectedNonce =
          verifier === undefined || !provider.config.client.scope.includes("openid") ? undefined : nonceFor(verifier);
      }
      const tokens = oAuthTokens ?? {};
      const userInfo = await provider.getUserInfo({ oAuthTokens: tokens, expectedNonce, userContext });
      const idTokenPayload = userInfo.rawUserInfoFromProvider.fromIdTokenPayload;
      // A code sent back without its flow's verifier must not skip the nonce check: a code stolen from a flow this
      // backend started (its ID token carries that flow's nonce) would otherwise sign the thief in where the
      // provider does not enforce PKCE (Apple).
      if (
        input.redirectURIInfo !== undefined &&
        input.redirectURIInfo.pkceCodeVerifier === undefined &&
        idTokenPayload?.nonce !== undefined
      ) {
        return { status: "SIGN_IN_UP_NOT_ALLOWED", reason: "The ID token belongs to another sign-in attempt" };
      }
      // Tokens a native app sent: an ID token proves its audience, an access token does not (any app the user
      // authorised can hold one), so the user it names is only trusted once the provider says it is ours.
      if (input.oAuthTokens !== undefined && idTokenPayload === undefined) {
        const refusal = await checkAccessToken(provider, tokens, userContext);
        if (refusal !== undefined) return refusal;
      }
      let email = userInfo.email;
      if (email === undefined) {
        if (provider.config.requireEmail) return { status: "NO_EMAIL_GIVEN_BY_PROVIDER" };
        email = {
          id: `${encodeURIComponent(userInfo.thirdPartyUserId)}.${provider.id}@${FAKE_EMAIL_DOMAIN}`,
          isVerified: false,
        };
      }
      if (emailProblem(email.id) !== undefined || !isStorableText(userInfo.thirdPartyUserId)) {
        return { status: "SIGN_IN_UP_NOT_ALLOWED", reason: "The login provider gave an email that cannot be used" };
      }
      const result = await options.recipeImplementation.signInUp({
        thirdPartyId: provider.id,
        thirdPartyUserId: userInfo.thirdPartyUserId,
        email: email.id,
        isVerified: email.isVerified,
        tenantId,
        userContext,
      });
      const context: ThirdPartyLoginContext = {
        loginMethod: "thirdparty",
        thirdPartyId: provider.id,
        oAuthTokens: tokens,
        rawUserInfoFromProvider: userInfo.rawUserInfoFromProvider,
      };
      const { jwtPayload, sessionData } = await sessionValues(
        options.config.sessionFeature,
        result.user,
        context,
        result.createdNewUser ? "signup" : "signin",
      );
      // Named for MultiFactorAuth's claim, which would otherwise look the user up in every login method to tell.
      setCompletedFirstFactor(userContext, FactorIds.THIRDPARTY);
      // Through the Session recipe's (possibly overridden) createNewSession, so one override reaches every login.
      const session = await capabilities.required(Sessions).createNewSession({
        req: options.req,
        res: options.res,
        userId: result.user.id,
        jwtPayload,
        sessionData,
        tenantId,
        userContext,
      });
      return {
        status: "OK",
        createdNewUser: result.createdNewUser,
        user: result.user,
        session,
        oAuthTokens: tokens,
        rawUserInfoFromProvider: userInfo.rawUserInfoFromProvider,
      };
    },

    loginMethodsGET: ({ options }) => {
      const providers = options.config.providers.map((p) => {
        const resolved = resolveProviderConfig(p, p.config.clients[0]?.clientType);
        return { id: p.config.thirdPartyId, name: resolved?.name ?? p.config.thirdPartyId };
      });
      const thirdPartyEnabled = providers.length > 0;
      const available = [
        ...(options.emailPasswordEnabled ? [FactorIds.EMAILPASSWORD] : []),
        ...(thirdPartyEnabled ? [FactorIds.THIRDPARTY] : []),
        ...options.passwordlessFactors,
      ];
      // With MultiFactorAuth's firstFactors, the frontend offers only those to start a session with.
      const configured = options.configuredFirstFactors;
      const firstFactors = configured === undefined ? available : available.filter((f) => configured.includes(f));
      return Promise.resolve({
        status: "OK",
        emailPassword: { enabled: options.emailPasswordEnabled },
        thirdParty: { enabled: thirdPartyEnabled, providers },
        passwordless: { enabled: options.passwordlessFactors.length > 0 },
        firstFactors,
      });
    },
  };
}

// The provider's (or the app's) check that a native app's access token was issued to this client.
async function checkAccessToken(
  provider: TypeProvider,
  tokens: OAuthTokens,
  userContext: UserContext,
): Promise<SignInUpRefusal | undefined> {
  const check = provider.config.validateAccessToken;
  const accessToken = tokens.access_token;
  if (check === undefined || typeof accessToken !== "string" || accessToken === "") {
    return {
      status: "SIGN_IN_UP_NOT_ALLOWED",
      reason: "This login provider needs an ID token from the app, not an access token alone",
    };
  }
  try {
    await check({ accessToken, clientConfig: provider.config.client, userContext });
  } catch (err) {
    if (LatchkeyError.isErrorFromAuth(err)) throw err;
    return { status: "SIGN_IN_UP_NOT_ALLOWED", reason: "The access token was not issued to this app" };
  }
  return undefined;
}
