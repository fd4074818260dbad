import { badInput, LatchkeyError } from "../../../lib/error";
import type { UserContext } from "../../../lib/types";
import type { NormalisedProviderConfig, OAuthTokens, TypeProvider, UserInfo } from "../types";
import { discover } from "./discovery";
import { providerError, signInRefused } from "../error";
import { providerJSON } from "./http";
import { verifyIdToken } from "./idToken";
import { codeChallenge, isCodeVerifier, newCodeVerifier, nonceFor } from "./pkce";
import type { ProviderPreset } from "./presets";

/** The endpoints a flow needs, from the config or else from the provider's discovery document. */
interface Endpoints {
  issuers: string[];
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userInfoEndpoint: string | undefined;
  jwksURI: string | undefined;
}

const MAX_CODE_LENGTH = 4096;

/** The generic OpenID Connect / OAuth 2.0 implementation of a provider, with a preset's differences applied. */
export function makeProvider(config: NormalisedProviderConfig, preset: ProviderPreset | undefined): TypeProvider {
  const usesOpenId = config.client.scope.includes("openid");

  async function endpoints(): Promise<Endpoints> {
    const discoveryURL =
      config.oidcDiscoveryEndpoint ??
      (config.issuer === undefined
        ? undefined
        : `${config.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
    const complete =
      config.authorizationEndpoint !== undefined &&
      config.tokenEndpoint !== undefined &&
      (config.jwksURI !== undefined || !usesOpenId);
    const found =
      discoveryURL === undefined || complete ? undefined : await discover(discoveryURL, config.requestTimeoutMs);
    const authorizationEndpoint = config.authorizationEndpoint ?? found?.authorizationEndpoint;
    const tokenEndpoint = config.tokenEndpoint ?? found?.tokenEndpoint;
    if (authorizationEndpoint === undefined || tokenEndpoint === undefined)
      throw providerError("The login provider is not fully configured");
    const issuers = [found?.issuer, config.issuer, ...(preset?.extraIssuers ?? [])].filter(
      (i): i is string => i !== undefined,
    );
    return {
      issuers,
      authorizationEndpoint,
      tokenEndpoint,
      userInfoEndpoint: config.userInfoEndpoint ?? found?.userInfoEndpoint,
      jwksURI: config.jwksURI ?? found?.jwksURI,
    };
  }

  return {
    id: config.thirdPartyId,
    config,

    async getAuthorisationRedirectURL({ redirectURIOnProviderDashboard }) {
      const { authorizationEndpoint } = await endpoints();
      // Always issued, PKCE or not: the frontend SDK hands it back at sign-in, and the ID token's nonce is derived
      // from it, so a code or token from another browser's flow is refused.
      const verifier = newCodeVerifier();
      const url = new URL(authorizationEndpoint);
      const params: Record<string, string | null> = {
        client_id: config.client.clientId,
        redirect_uri: redirectURIOnProviderDashboard,
        response_type: "code",
        scope: config.client.scope.join(" "),
        ...(config.client.forcePKCE ? { code_challenge: codeChallenge(verifier), code_challenge_method: "S256" } : {}),
        ...(usesOpenId ? { nonce: nonceFor(verifier) } : {}),
        ...config.authorizationEndpointQueryParams,
      };
      for (const [key, value] of Object.entries(params)) {
        if (value === null) url.searchParams.delete(key);
        else url.searchParams.set(key, value);
      }
      return { urlWithQueryParams: url.href, pkceCodeVerifier: verifier };
    },

    async exchangeAuthCodeForOAuthTokens({ redirectURIInfo }) {
      const code = redirectURIInfo.redirectURIQueryParams.code;
      if (typeof code !== "string" || code === "" || code.length > MAX_CODE_LENGTH)
        throw badInput("redirectURIInfo.redirectURIQueryParams.code must be the code the provider sent");
      const { tokenEndpoint } = await endpoints();
      const secret = preset?.clientSecret === undefined ? config.client.clientSecret : preset.clientSecret(config);
      const form: Record<string, string> = {
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectURIInfo.redirectURIOnProviderDashboard,
        client_id: config.client.clientId,
        ...(secret === undefined ? {} : { client_secret: secret }),
        ...(config.client.forcePKCE && redirectURIInfo.pkceCodeVerifier !== undefined
          ? { code_verifier: redirectURIInfo.pkceCodeVerifier }
          : {}),
        ...config.tokenEndpointBodyParams,
      };
      const { status, body } = await providerJSON(
        tokenEndpoint,
        { method: "POST", form, timeoutMs: config.requestTimeoutMs },
        "token",
      );
      if (typeof body.error === "string") {
        // invalid_grant: a code used twice, expired, or issued to another verifier or redirect URI.
        if (body.error === "invalid_grant")
          throw signInRefused(
            "The login provider refused the code: it was used already, has expired, or belongs to another sign-in attempt",
          );
        throw providerError("The login provider refused to exchange the code");
      }
      if (status !== 200) throw providerError("The login provider refused to exchange the code");
      return body;
    },

    async getUserInfo({ oAuthTokens, expectedNonce, userContext }) {
      if (preset?.getUserInfo !== undefined) return preset.getUserInfo(config, oAuthTokens);
      const found = await endpoints();
      let fromIdTokenPayload: Record<string, unknown> | undefined;
      if (oAuthTokens.id_token !== undefined || usesOpenId) {
        if (found.jwksURI === undefined) throw providerError("The login provider is not fully configured (no JWKS)");
        if (oAuthTokens.id_token === undefined) throw signInRefused("The login provider sent no ID token");
        fromIdTokenPayload = await verifyIdToken(oAuthTokens.id_token, {
          jwksURI: found.jwksURI,
          issuers: found.issuers,
          clientId: config.client.clientId,
          nonce: expectedNonce,
          timeoutMs: config.requestTimeoutMs,
        });
        await appChecks(config, fromIdTokenPayload, userContext);
      }
      let fromUserInfoAPI: Record<string, unknown> | undefined;
      const needsUserInfo = fromIdTokenPayload === undefined || typeof fromIdTokenPayload.email !== "string";
      if (needsUserInfo && found.userInfoEndpoint !== undefined)
        fromUserInfoAPI = await userInfoAPI(found.userInfoEndpoint, oAuthTokens);
      return toUserInfo(fromIdTokenPayload, fromUserInfoAPI);
    },
  };

  async function userInfoAPI(url: string, tokens: OAuthTokens): Promise<Record<string, unknown>> {
    if (typeof tokens.access_token !== "string" || tokens.access_token === "")
      throw providerError("The login provider sent no access token");
    const { status, body } = await providerJSON(
      url,
      { headers: { authorization: `Bearer ${tokens.access_token}` }, timeoutMs: config.requestTimeoutMs },
      "user info",
    );
    if (status !== 200) throw providerError("The login provider did not say who the user is");
    return body;
  }
}

// The app's own checks of the ID token: whatever they throw refuses the sign-in (without echoing it).
async function appChecks(
  config: NormalisedProviderConfig,
  idTokenPayload: Record<string, unknown>,
  userContext: UserContext,
): Promise<void> {
  if (config.validateIdTokenPayload === undefined) return;
  try {
    await config.validateIdTokenPayload({ idTokenPayload, clientConfig: config.client, userContext });
  } catch (err) {
    if (LatchkeyError.isErrorFromAuth(err)) throw err;
    throw signInRefused("The ID token was refused by the app's checks");
  }
}

/** Parses a PKCE verifier from a request; the SDK sends back the one /authorisationurl gave it. */
export function parseVerifier(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isCodeVerifier(value)) throw badInput("redirectURIInfo.pkceCodeVerifier is malformed");
  return value;
}

function toUserInfo(
  idToken: Record<string, unknown> | undefined,
  userInfo: Record<string, unknown> | undefined,
): UserInfo {
  const idSub = idToken?.sub;
  const apiId = userInfo?.sub ?? userInfo?.id;
  // OpenID Connect Core 5.3.2: a userinfo answer about someone else must not be used.
  if (idSub !== undefined && apiId !== undefined && String(apiId) !== idSub)
    throw signInRefused("The login provider's user info names another user");
  const subject = idSub ?? apiId;
  if (
    (typeof subject !== "string" && typeof subject !== "number") ||
    String(subject) === "" ||
    String(subject).length > 255
  ) {
    throw providerError("The login provider did not say who the user is");
  }
  // On a MySQL-family server without a NO PAD binary collation, "alice " would find the user "alice".
  if (/\s$/.test(String(subject))) throw signInRefused("The login provider gave a user id that cannot be used");
  const source = typeof idToken?.email === "string" ? idToken : userInfo;
  const email = source?.email;
  // Apple sends email_verified as the string "true".
  const verified = source?.email_verified === true || source?.email_verified === "true";
  return {
    thirdPartyUserId: String(subject),
    email: typeof email === "string" && email !== "" ? { id: email, isVerified: verified } : undefined,
    rawUserInfoFromProvider: { fromIdTokenPayload: idToken, fromUserInfoAPI: userInfo },
  };
}
