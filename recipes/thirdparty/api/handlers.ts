import { badInput } from "../../../lib/error";
import { requestTenantId } from "../../../lib/tenant";
import type { UserContext } from "../../../lib/types";
import { parseVerifier } from "../providers/provider";
import type { APIInterface, APIOptions, OAuthTokens, RedirectURIInfo, TypeProvider } from "../types";

/** One route's handler: parse and validate the request, call the API implementation, answer. */
type Handler = (api: APIInterface, options: APIOptions, userContext: UserContext) => Promise<boolean>;

const MAX_URL_LENGTH = 2048;
const MAX_QUERY_PARAMS = 50;

/** GET /authorisationurl?thirdPartyId=&redirectURIOnProviderDashboard= */
export const authorisationUrl: Handler = async (api, options, userContext) => {
  if (api.authorisationUrlGET === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const provider = await findProvider(
    options,
    options.req.getQuery("thirdPartyId"),
    options.req.getQuery("clientType"),
    tenantId,
    userContext,
  );
  const redirectURIOnProviderDashboard = redirectURI(
    options.req.getQuery("redirectURIOnProviderDashboard"),
    "redirectURIOnProviderDashboard",
  );
  return send(
    options,
    await api.authorisationUrlGET({ provider, redirectURIOnProviderDashboard, tenantId, options, userContext }),
  );
};

/** POST /signinup with { thirdPartyId, clientType?, redirectURIInfo } or { thirdPartyId, clientType?, oAuthTokens } */
export const signInUp: Handler = async (api, options, userContext) => {
  if (api.signInUpPOST === undefined) return false;
  const tenantId = requestTenantId(userContext);
  const body = await options.req.getJSONBody();
  const clientType = body.clientType === undefined || body.clientType === null ? undefined : body.clientType;
  if (clientType !== undefined && typeof clientType !== "string") throw badInput("clientType must be a string");
  const provider = await findProvider(options, body.thirdPartyId, clientType, tenantId, userContext);
  const common = { provider, tenantId, options, userContext };
  const result =
    body.redirectURIInfo !== undefined
      ? await api.signInUpPOST({ ...common, redirectURIInfo: parseRedirectURIInfo(body.redirectURIInfo) })
      : await api.signInUpPOST({ ...common, oAuthTokens: parseOAuthTokens(body.oAuthTokens) });
  if (result.status !== "OK") return send(options, result);
  // FDI 3.x: createdNewRecipeUser (web-js 0.16 reads createdNewUser only when createdNewRecipeUser is absent).
  return send(options, {
    status: "OK",
    user: await options.userForResponse(result.user, tenantId, userContext),
    createdNewRecipeUser: result.createdNewUser,
  });
};

/** GET /loginmethods */
export const loginMethods: Handler = async (api, options, userContext) => {
  if (api.loginMethodsGET === undefined) return false;
  const tenantId = requestTenantId(userContext);
  return send(options, await api.loginMethodsGET({ tenantId, options, userContext }));
};

async function findProvider(
  options: APIOptions,
  thirdPartyId: unknown,
  clientType: unknown,
  tenantId: string,
  userContext: UserContext,
): Promise<TypeProvider> {
  if (typeof thirdPartyId !== "string" || thirdPartyId === "") throw badInput("Please provide the thirdPartyId");
  const type = typeof clientType === "string" && clientType !== "" ? clientType : undefined;
  const provider = await options.recipeImplementation.getProvider({
    thirdPartyId,
    clientType: type,
    tenantId,
    userContext,
  });
  // The id is the caller's own input, but it is not echoed: the message stays the same whatever was sent.
  if (provider === undefined) throw badInput("The thirdPartyId (with this clientType) is not a configured provider");
  return provider;
}

function redirectURI(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "" || value.length > MAX_URL_LENGTH)
    throw badInput(`Please provide ${field} (an absolute URL)`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput(`${field} must be an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw badInput(`${field} must be an http(s) URL`);
  return value;
}

function parseRedirectURIInfo(value: unknown): RedirectURIInfo {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw badInput("redirectURIInfo must be an object");
  const info = value as Record<string, unknown>;
  const params = info.redirectURIQueryParams;
  if (typeof params !== "object" || params === null || Array.isArray(params))
    throw badInput("redirectURIInfo.redirectURIQueryParams must be an object");
  const entries = Object.entries(params);
  if (entries.length > MAX_QUERY_PARAMS) throw badInput("redirectURIInfo.redirectURIQueryParams has too many entries");
  return {
    redirectURIOnProviderDashboard: redirectURI(
      info.redirectURIOnProviderDashboard,
      "redirectURIInfo.redirectURIOnProviderDashboard",
    ),
    // A plain copy: keys like __proto__ stay data and never reach a prototype.
    redirectURIQueryParams: Object.fromEntries(entries),
    pkceCodeVerifier: parseVerifier(info.pkceCodeVerifier),
  };
}

function parseOAuthTokens(value: unknown): OAuthTokens {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw badInput("Please provide redirectURIInfo or oAuthTokens");
  return Object.fromEntries(Object.entries(value));
}

function send(options: APIOptions, body: unknown): boolean {
  options.res.sendJSON(body);
  return true;
}
