import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import type { OverrideInput } from "../../lib/override";
import type { NormalisedSessionFeature, SessionFeature } from "../../lib/sessionFeature";
import type { SessionContainerInterface } from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import type { User } from "../../lib/users";

/** A user of the thirdparty recipe, keyed by (thirdParty.id, thirdParty.userId). */
export interface ThirdPartyUser {
  id: string;
  email: string;
  /** Milliseconds since the epoch. */
  timeJoined: number;
  thirdParty: { id: string; userId: string };
}

/** What a provider's token endpoint answered (access_token, id_token, ...). */
export type OAuthTokens = Record<string, unknown>;

/** Who the provider says the user is. */
export interface UserInfo {
  thirdPartyUserId: string;
  email?: { id: string; isVerified: boolean };
  rawUserInfoFromProvider: { fromIdTokenPayload?: Record<string, unknown>; fromUserInfoAPI?: Record<string, unknown> };
}

/** Where the provider sent the browser back, as the frontend SDK reports it. */
export interface RedirectURIInfo {
  redirectURIOnProviderDashboard: string;
  redirectURIQueryParams: Record<string, unknown>;
  pkceCodeVerifier?: string;
}

/** One OAuth client registered with the provider (web, ios, android... told apart by clientType). */
export interface ProviderClientConfig {
  clientType?: string;
  clientId: string;
  clientSecret?: string;
  scope?: string[];
  /** Send a PKCE challenge (S256); default true, except where the provider's preset says otherwise. */
  forcePKCE?: boolean;
  /** Provider-specific settings, e.g. Apple's keyId, teamId and privateKey. */
  additionalConfig?: Record<string, unknown>;
}

/** How to reach a provider; built-in ids (google, github, apple, microsoft) fill in what is left out. */
export interface ProviderConfig {
  thirdPartyId: string;
  /** Shown by the frontend's login-method list; defaults to the preset's name or the id. */
  name?: string;
  clients: ProviderClientConfig[];
  /** OpenID Connect issuer: the discovery document is read from `{issuer}/.well-known/openid-configuration`. */
  issuer?: string;
  oidcDiscoveryEndpoint?: string;
  authorizationEndpoint?: string;
  /** Extra query parameters of the authorisation URL; null removes a default one. */
  authorizationEndpointQueryParams?: Record<string, string | null>;
  tokenEndpoint?: string;
  tokenEndpointBodyParams?: Record<string, string>;
  userInfoEndpoint?: string;
  jwksURI?: string;
  /** Refuse sign-in when the provider gives no email; default true. */
  requireEmail?: boolean;
  /** Extra checks of the (already verified) ID token payload; throw to refuse the sign-in. */
  validateIdTokenPayload?: (input: {
    idTokenPayload: Record<string, unknown>;
    clientConfig: ProviderClientConfig;
    userContext: UserContext;
  }) => Promise<void> | void;
  /**
   * Checks that an access token a native app sent (`oAuthTokens` without an ID token) was issued to this client;
   * throw to refuse. Without it such tokens are refused (GitHub's preset asks GitHub's applications API).
   */
  validateAccessToken?: (input: {
    accessToken: string;
    clientConfig: ProviderClientConfig;
    userContext: UserContext;
  }) => Promise<void> | void;
  /** Milliseconds an outbound call to the provider may take; default 10 000. */
  requestTimeout?: number;
}

/** A provider for one client: build the authorisation URL, exchange the code, read the user. Overridable. */
export interface TypeProvider {
  id: string;
  config: NormalisedProviderConfig;
  getAuthorisationRedirectURL(input: { redirectURIOnProviderDashboard: string; userContext: UserContext }): Promise<{
    urlWithQueryParams: string;
    pkceCodeVerifier?: string;
  }>;
  exchangeAuthCodeForOAuthTokens(input: {
    redirectURIInfo: RedirectURIInfo;
    userContext: UserContext;
  }): Promise<OAuthTokens>;
  /** `expectedNonce` is set when this backend issued the flow (the nonce is bound to its PKCE verifier). */
  getUserInfo(input: { oAuthTokens: OAuthTokens; expectedNonce?: string; userContext: UserContext }): Promise<UserInfo>;
}

/** A provider as given to init: its config, and optionally an override of its functions. */
export interface ProviderInput {
  config: ProviderConfig;
  override?: (originalImplementation: TypeProvider) => TypeProvider;
  /** With multitenancy: offer this provider to tenants that have no providers of their own (always to `public`). */
  includeInNonPublicTenantsByDefault?: boolean;
}

/** A provider's config resolved for one client, with the preset applied. */
export interface NormalisedProviderConfig {
  thirdPartyId: string;
  name: string;
  client: Required<Pick<ProviderClientConfig, "clientId" | "scope" | "forcePKCE">> & ProviderClientConfig;
  issuer: string | undefined;
  oidcDiscoveryEndpoint: string | undefined;
  authorizationEndpoint: string | undefined;
  authorizationEndpointQueryParams: Record<string, string | null>;
  tokenEndpoint: string | undefined;
  tokenEndpointBodyParams: Record<string, string>;
  userInfoEndpoint: string | undefined;
  jwksURI: string | undefined;
  requireEmail: boolean;
  validateIdTokenPayload: ProviderConfig["validateIdTokenPayload"];
  validateAccessToken: ProviderConfig["validateAccessToken"];
  requestTimeoutMs: number;
}

/** Which login method and provider a sessionFeature hook is called for. */
export interface ThirdPartyLoginContext {
  loginMethod: "thirdparty";
  thirdPartyId: string;
  oAuthTokens: OAuthTokens;
  rawUserInfoFromProvider: UserInfo["rawUserInfoFromProvider"];
}

/** The argument of `ThirdParty.init()`. */
export interface TypeInput {
  signInAndUpFeature: { providers: ProviderInput[] };
  /** The seeds' hooks: what they return becomes the new session's jwtPayload and sessionData. */
  sessionFeature?: SessionFeature<ThirdPartyUser, ThirdPartyLoginContext>;
  override?: OverrideInput<RecipeInterface, APIInterface>;
}

/** TypeInput after validation. */
export interface TypeNormalisedInput {
  providers: ProviderInput[];
  sessionFeature: NormalisedSessionFeature<ThirdPartyUser, ThirdPartyLoginContext>;
}

/** The outcome of a third-party sign-in or sign-up. */
export type SignInUpResult = { status: "OK"; createdNewUser: boolean; user: ThirdPartyUser };

/**
 * The thirdparty recipe's overridable functions; each takes one input object with `tenantId` and `userContext`.
 * Provider identities and emails are looked up within the tenant; user ids are unique across tenants.
 */
export interface RecipeInterface {
  /** Creates the user on first sight, or updates their email; keyed by (tenantId, thirdPartyId, thirdPartyUserId). */
  signInUp(input: {
    thirdPartyId: string;
    thirdPartyUserId: string;
    email: string;
    isVerified: boolean;
    tenantId: string;
    userContext: UserContext;
  }): Promise<SignInUpResult>;
  getUserById(input: {
    userId: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<ThirdPartyUser | undefined>;
  getUsersByEmail(input: { email: string; tenantId: string; userContext: UserContext }): Promise<ThirdPartyUser[]>;
  getUserByThirdPartyInfo(input: {
    thirdPartyId: string;
    thirdPartyUserId: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<ThirdPartyUser | undefined>;
  /** The configured provider with this id for this client type, or undefined. */
  getProvider(input: {
    thirdPartyId: string;
    clientType?: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<TypeProvider | undefined>;
}

/** What every thirdparty API handler is given. */
export interface APIOptions {
  recipeImplementation: RecipeInterface;
  config: TypeNormalisedInput;
  /** Whether a recipe of the list offers email/password login (the emailpassword factor), for GET /loginmethods. */
  emailPasswordEnabled: boolean;
  /** The passwordless factors (otp-email, link-phone, ...) some login method in the list proves. */
  passwordlessFactors: string[];
  /** MultiFactorAuth's `firstFactors`, when configured: `/loginmethods` lists only those. */
  configuredFirstFactors: readonly string[] | undefined;
  /** The user as /signinup sends it (FDI 3.x: the core's user, with every login method). */
  userForResponse: (user: ThirdPartyUser, tenantId: string, userContext: UserContext) => Promise<User>;
  req: BaseRequest;
  res: BaseResponse;
}

/** The answer of POST /signinup when it does not sign the user in. */
export type SignInUpRefusal =
  | { status: "NO_EMAIL_GIVEN_BY_PROVIDER" }
  | { status: "SIGN_IN_UP_NOT_ALLOWED"; reason: string }
  | { status: "GENERAL_ERROR"; message: string };

/** The thirdparty HTTP APIs; set one to undefined to disable its route. */
export interface APIInterface {
  authorisationUrlGET:
    | undefined
    | ((input: {
        provider: TypeProvider;
        redirectURIOnProviderDashboard: string;
        tenantId: string;
        options: APIOptions;
        userContext: UserContext;
      }) => Promise<{
        status: "OK";
        urlWithQueryParams: string;
        pkceCodeVerifier?: string;
      }>);
  signInUpPOST:
    | undefined
    | ((
        input: { provider: TypeProvider; tenantId: string; options: APIOptions; userContext: UserContext } & (
          | { redirectURIInfo: RedirectURIInfo; oAuthTokens?: undefined }
          | { oAuthTokens: OAuthTokens; redirectURIInfo?: undefined }
        ),
      ) => Promise<
        | {
            status: "OK";
            createdNewUser: boolean;
            user: ThirdPartyUser;
            session: SessionContainerInterface;
            oAuthTokens: OAuthTokens;
            rawUserInfoFromProvider: UserInfo["rawUserInfoFromProvider"];
          }
        | SignInUpRefusal
      >);
  loginMethodsGET:
    | undefined
    | ((input: { tenantId: string; options: APIOptions; userContext: UserContext }) => Promise<{
        status: "OK";
        emailPassword: { enabled: boolean };
        thirdParty: { enabled: boolean; providers: { id: string; name: string }[] };
        passwordless: { enabled: boolean };
        firstFactors: string[];
      }>);
}
