import { isLoopback } from "../../lib/net";
import { configError } from "../../lib/error";
import type { NormalisedAppInfo } from "../../lib/types";
import {
  assertKnownKeys,
  assertPlainObject,
  optionalBoolean,
  optionalFunction,
  optionalInteger,
} from "../../lib/validate";
import { DEFAULT_VERIFIED_TOKEN_CACHE_SIZE } from "./accessToken";
import type { AntiCsrfMode, ErrorHandlers, TypeInput, TypeNormalisedInput } from "./types";

const KEYS = [
  "accessTokenValidity",
  "refreshTokenValidity",
  "cookieSecure",
  "cookieSameSite",
  "cookieDomain",
  "sessionExpiredStatusCode",
  "invalidClaimStatusCode",
  "antiCsrf",
  "getTokenTransferMethod",
  "enableBlacklisting",
  "verifiedTokenCacheSize",
  "accessTokenSigningKeyUpdateInterval",
  "accessTokenSigningAlgorithm",
  "errorHandlers",
  "override",
];
const ERROR_HANDLER_KEYS = ["onUnauthorised", "onTryRefreshToken", "onTokenTheftDetected", "onInvalidClaim"];
const DAY_S = 24 * 3600;

/** Validates Session.init's config against the app's info and fills in the defaults. */
export function normaliseConfig(appInfo: NormalisedAppInfo, input: TypeInput | undefined): TypeNormalisedInput {
  const raw: unknown = input ?? {};
  assertPlainObject("Session.init", raw);
  assertKnownKeys("Session.init", raw, KEYS);
  const config = raw as TypeInput;
  const accessTokenValidity = optionalInteger(
    "Session.init.accessTokenValidity",
    config.accessTokenValidity,
    3600,
    1,
    365 * DAY_S,
  );
  const refreshTokenValidity = optionalInteger(
    "Session.init.refreshTokenValidity",
    config.refreshTokenValidity,
    100 * DAY_S,
    1,
    10 * 365 * DAY_S,
  );
  if (refreshTokenValidity <= accessTokenValidity) {
    throw configError("Session.init.refreshTokenValidity", "must be longer than accessTokenValidity");
  }
  const apiUrl = new URL(appInfo.apiDomain);
  const sameSite = isSameSite(apiUrl.hostname, new URL(appInfo.websiteDomain).hostname);
  const cookieSameSite = config.cookieSameSite ?? (sameSite ? "lax" : "none");
  if (!["lax", "strict", "none"].includes(cookieSameSite)) {
    throw configError("Session.init.cookieSameSite", 'must be "lax", "strict" or "none"');
  }
  const cookieSecure = optionalBoolean("Session.init.cookieSecure", config.cookieSecure, apiUrl.protocol === "https:");
  if (cookieSameSite === "none" && !cookieSecure && !isLoopback(apiUrl.hostname)) {
    throw configError(
      "Session.init.cookieSecure",
      "the API and the website are on different sites, so cookies need SameSite=None, which browsers accept only with Secure: serve the API over https",
    );
  }
  const antiCsrf = config.antiCsrf ?? (cookieSameSite === "none" ? "VIA_CUSTOM_HEADER" : "NONE");
  if (!(["VIA_TOKEN", "VIA_CUSTOM_HEADER", "NONE"] as AntiCsrfMode[]).includes(antiCsrf)) {
    throw configError("Session.init.antiCsrf", 'must be "VIA_TOKEN", "VIA_CUSTOM_HEADER" or "NONE"');
  }
  if (
    config.cookieDomain !== undefined &&
    (typeof config.cookieDomain !== "string" || !/^\.?[a-z0-9.-]+$/i.test(config.cookieDomain))
  ) {
    throw configError("Session.init.cookieDomain", "must be a domain such as .example.com");
  }
  const sessionExpiredStatusCode = optionalInteger(
    "Session.init.sessionExpiredStatusCode",
    config.sessionExpiredStatusCode,
    401,
    400,
    599,
  );
  const invalidClaimStatusCode = optionalInteger(
    "Session.init.invalidClaimStatusCode",
    config.invalidClaimStatusCode,
    403,
    400,
    599,
  );
  if (sessionExpiredStatusCode === invalidClaimStatusCode) {
    throw configError(
      "Session.init.invalidClaimStatusCode",
      "must differ from sessionExpiredStatusCode, or the frontend cannot tell them apart",
    );
  }
  const signingAlgorithm = config.accessTokenSigningAlgorithm ?? "RS256";
  if (signingAlgorithm !== "RS256" && signingAlgorithm !== "ES256") {
    throw configError("Session.init.accessTokenSigningAlgorithm", 'must be "RS256" or "ES256"');
  }
  const intervalHours = optionalInteger(
    "Session.init.accessTokenSigningKeyUpdateInterval",
    config.accessTokenSigningKeyUpdateInterval,
    168,
    1,
    24 * 365,
  );
  return {
    accessTokenValidityMs: accessTokenValidity * 1000,
    refreshTokenValidityMs: refreshTokenValidity * 1000,
    cookieSecure,
    cookieSameSite,
    cookieDomain: config.cookieDomain,
    sessionExpiredStatusCode,
    invalidClaimStatusCode,
    antiCsrf,
    getTokenTransferMethod:
      optionalFunction<TypeNormalisedInput["getTokenTransferMethod"]>(
        "Session.init.getTokenTransferMethod",
        config.getTokenTransferMethod,
      ) ?? defaultGetTokenTransferMethod,
    enableBlacklisting: optionalBoolean("Session.init.enableBlacklisting", config.enableBlacklisting, false),
    verifiedTokenCacheSize: optionalInteger(
      "Session.init.verifiedTokenCacheSize",
      config.verifiedTokenCacheSize,
      DEFAULT_VERIFIED_TOKEN_CACHE_SIZE,
      0,
      1_000_000,
    ),
    signingKeyIntervalMs: intervalHours * 3600 * 1000,
    signingAlgorithm,
    errorHandlers: normaliseErrorHandlers(config.errorHandlers),
    refreshTokenPath: `${appInfo.apiBasePath}/session/refresh`,
    issuer: `${appInfo.apiDomain}${appInfo.apiBasePath}`,
  };
}

// The SDKs send st-auth-mode to say how they want new sessions' tokens; reading accepts either method.
const defaultGetTokenTransferMethod: TypeNormalisedInput["getTokenTransferMethod"] = ({ req, forCreateNewSession }) => {
  if (!forCreateNewSession) return "any";
  const mode = req.getHeader("st-auth-mode")?.toLowerCase();
  return mode === "cookie" || mode === "header" ? mode : "any";
};

function normaliseErrorHandlers(value: unknown): ErrorHandlers {
  if (value === undefined) return {};
  assertPlainObject("Session.init.errorHandlers", value);
  assertKnownKeys("Session.init.errorHandlers", value, ERROR_HANDLER_KEYS);
  for (const key of ERROR_HANDLER_KEYS) optionalFunction(`Session.init.errorHandlers.${key}`, value[key]);
  return value as ErrorHandlers;
}

// Same site means same registrable domain; without a public-suffix list, the last two labels stand for it.
function isSameSite(a: string, b: string): boolean {
  const site = (host: string): string => (/^[\d.]+$|:/.test(host) ? host : host.split(".").slice(-2).join("."));
  return site(a) === site(b);
}
