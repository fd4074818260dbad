import * as oauth from "oauth4webapi";
import { badInput, LatchkeyError } from "../../../lib/error";
import type { UserContext } from "../../../lib/types";
import type { NormalisedProviderConfig, OAuthTokens, RedirectURIInfo, TypeProvider, UserInfo } from "../types";
import { discover } from "./discovery";
import { providerError, signInRefused } from "../error";
import { providerFetch, providerJSON } from "./http";
import { verifyIdToken } from "./idToken";
import { codeChallenge, isCodeVerifier, newCodeVerifier, nonceFor } from "./pkce";
import type { ProviderPreset } from "./presets";

/** The provider as oauth4webapi sees it, and the issuers its ID tokens may carry. */
interface Server {
  as: oauth.AuthorizationServer;
  issuers: string[];
}

const MAX_CODE_LENGTH = 4096;
// oauth4webapi needs an issuer for every server; a plain OAuth 2.0 provider (GitHub) has none.
const NO_ISSUER = "urn:latchkey:oauth2-provider-without-issuer";

/** The generic OpenID Connect / OAuth 2.0 implementation of a provider (on oauth4webapi), with a preset's differences. */
export function makeProvider(config: NormalisedProviderConfig, preset: ProviderPreset | undefined): TypeProvider {
  const usesOpenId = config.client.scope.includes("openid");
  const client: oauth.Client = { client_id: config.client.clientId };
  const options = (what: string) => ({
    [oauth.customFetch]: providerFetch(what, config.requestTimeoutMs),
    // http is allowed for loopback only: config validation and providerFetch refuse it anywhere else.
    [oauth.allowInsecureRequests]: true,
  });

  // The configured endpoints, and the discovery document for whatever they leave out.
  async function server(): Promise<Server> {
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
      discoveryURL === undefined || complete
        ? undefined
        : await discover(discoveryURL, preset?.discoveredIssuer?.(config) ?? config.issuer, config.requestTimeoutMs);
    const as: oauth.AuthorizationServer = {
      ...found,
      issuer: found?.issuer ?? config.issuer ?? NO_ISSUER,
      authorization_endpoint: config.authorizationEndpoint ?? found?.authorization_endpoint,
      token_endpoint: config.tokenEndpoint ?? found?.token_endpoint,
      userinfo_endpoint: config.userInfoEndpoint ?? found?.userinfo_endpoint,
      jwks_uri: config.jwksURI ?? found?.jwks_uri,
    };
    if (as.authorization_endpoint === undefined || as.token_endpoint === undefined)
      throw providerError("The login provider is not fully configured");
    const issuers = [found?.issuer, config.issuer, ...(preset?.extraIssuers ?? [])].filter(
      (i): i is string => i !== undefined,
    );
    return { as, issuers };
  }

  return {
    id: config.thirdPartyId,
    config,

    async getAuthorisationRedirectURL({ redirectURIOnProviderDashboard }) {
      const { as } = await server();
      // Always issued, PKCE or not: the frontend SDK hands it back at sign-in, and the ID token's nonce is derived
      // from it, so a code or token from another browser's flow is refused.
      const verifier = newCodeVerifier();
      const url = new URL(as.authorization_endpoint as string);
      const params: Record<string, string | null> = {
        client_id: config.client.clientId,
        redirect_uri: redirectURIOnProviderDashboard,
        response_type: "code",
        scope: config.client.scope.join(" "),
        ...(config.client.forcePKCE
          ? { code_challenge: await codeChallenge(verifier), code_challenge_method: "S256" }
          : {}),
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
      const { as } = await server();
      const callback = callbackParameters(as, redirectURIInfo);
      const secret = preset?.clientSecret === undefined ? config.client.clientSecret : preset.clientSecret(config);
      const verifier = config.client.forcePKCE ? redirectURIInfo.pkceCodeVerifier : undefined;
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        secret === undefined || secret === "" ? oauth.None() : oauth.ClientSecretPost(secret),
        callback,
        redirectURIInfo.redirectURIOnProviderDashboard,
        verifier ?? oauth.nopkce,
        { ...options("token"), additionalParameters: config.tokenEndpointBodyParams },
      );
      return tokenResponse(as, response);
    },

    async getUserInfo({ oAuthTokens, expectedNonce, userContext }) {
      if (preset?.getUserInfo !== undefined) return preset.getUserInfo(config, oAuthTokens);
      const { as, issuers } = await server();
      let fromIdTokenPayload: Record<string, unknown> | undefined;
      if (oAuthTokens.id_token !== undefined || usesOpenId) {
        if (as.jwks_uri === undefined) throw providerError("The login provider is not fully configured (no JWKS)");
        if (oAuthTokens.id_token === undefined) throw signInRefused("The login provider sent no ID token");
        fromIdTokenPayload = await verifyIdToken(oAuthTokens.id_token, {
          jwksURI: as.jwks_uri,
          issuers,
          clientId: config.client.clientId,
          nonce: expectedNonce,
          timeoutMs: config.requestTimeoutMs,
          algorithms: as.id_token_signing_alg_values_supported,
        });
        await appChecks(config, fromIdTokenPayload, userContext);
      }
      let fromUserInfoAPI: Record<string, unknown> | undefined;
      const needsUserInfo = fromIdTokenPayload === undefined || typeof fromIdTokenPayload.email !== "string";
      if (needsUserInfo && as.userinfo_endpoint !== undefined)
        fromUserInfoAPI = await userInfoAPI(as, oAuthTokens, fromIdTokenPayload?.sub);
      return toUserInfo(fromIdTokenPayload, fromUserInfoAPI);
    },
  };

  // The provider's answer at the callback, checked by the library: no implicit-flow tokens, and the issuer it names
  // (RFC 9207, where the provider sends one) is this provider's. The state is the frontend's to check.
  function callbackParameters(as: oauth.AuthorizationServer, info: RedirectURIInfo): URLSearchParams {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(info.redirectURIQueryParams))
      if (typeof value === "string") params.set(key, value);
    // Without a known issuer (plain OAuth 2.0, a multi-tenant template) there is nothing to compare `iss` with.
    if (as.issuer === NO_ISSUER || as.issuer.includes("{tenantid}")) params.delete("iss");
    try {
      return oauth.validateAuthResponse(as, client, params, oauth.skipStateCheck);
    } catch (err) {
      if (err instanceof oauth.AuthorizationResponseError)
        throw providerError("The login provider did not complete the sign-in");
      throw signInRefused("The login provider's answer does not belong to this provider");
    }
  }

  // The token endpoint's answer, checked by the library (errors, access_token, token_type). The ID token is left to
  // getUserInfo, which knows the flow's nonce and the issuers the provider may use.
  async function tokenResponse(as: oauth.AuthorizationServer, response: Response): Promise<OAuthTokens> {
    let idToken: unknown;
    let checked = response;
    try {
      const body: unknown = JSON.parse(await response.clone().text());
      if (typeof body === "object" && body !== null && !Array.isArray(body) && "id_token" in body) {
        idToken = body.id_token;
        checked = new Response(JSON.stringify({ ...body, id_token: undefined }), {
          status: response.status,
          headers: response.headers,
        });
      }
    } catch {
      // Not JSON: the library says so below.
    }
    let tokens: oauth.TokenEndpointResponse;
    try {
      tokens = await oauth.processGenericTokenEndpointResponse(as, client, checked);
    } catch (err) {
      if (LatchkeyError.isErrorFromAuth(err)) throw err;
      // invalid_grant: a code used twice, expired, or issued to another verifier or redirect URI.
      if (err instanceof oauth.ResponseBodyError && err.error === "invalid_grant")
        throw signInRefused(
          "The login provider refused the code: it was used already, has expired, or belongs to another sign-in attempt",
        );
      if (
        err instanceof oauth.ResponseBodyError ||
        err instanceof oauth.WWWAuthenticateChallengeError ||
        (err instanceof oauth.OperationProcessingError && err.code === oauth.RESPONSE_IS_NOT_CONFORM)
      )
        throw providerError("The login provider refused to exchange the code", err);
      throw providerError("The login provider sent an unreadable answer (token)", err);
    }
    return { ...tokens, ...(idToken === undefined ? {} : { id_token: idToken }) };
  }

  // The user info endpoint: OpenID's through the library (its `sub` must be the ID token's, Core 5.3.2), a plain
  // OAuth 2.0 one as JSON (it may name the user `id`).
  async function userInfoAPI(
    as: oauth.AuthorizationServer,
    tokens: OAuthTokens,
    subject: unknown,
  ): Promise<Record<string, unknown>> {
    const accessToken = tokens.access_token;
    if (typeof accessToken !== "string" || accessToken === "")
      throw providerError("The login provider sent no access token");
    if (typeof subject !== "string") {
      const { status, body } = await providerJSON(
        as.userinfo_endpoint as string,
        { headers: { authorization: `Bearer ${accessToken}` }, timeoutMs: config.requestTimeoutMs },
        "user info",
      );
      if (status !== 200) throw providerError("The login provider did not say who the user is");
      return body;
    }
    try {
      const response = await oauth.userInfoRequest(as, client, accessToken, options("user info"));
      return await oauth.processUserInfoResponse(as, client, subject, response);
    } catch (err) {
      if (LatchkeyError.isErrorFromAuth(err)) throw err;
      if (err instanceof oauth.OperationProcessingError && err.code === oauth.JSON_ATTRIBUTE_COMPARISON)
        throw signInRefused("The login provider's user info names another user");
      throw providerError("The login provider did not say who the user is", err);
    }
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
  // OpenID Connect Core 5.3.2 (the library checks it too, for OpenID providers).
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
