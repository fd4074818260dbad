import crypto from "node:crypto";
import { configError } from "../../../lib/error";
import { isLoopback } from "../../../lib/net";
import {
  assertKnownKeys,
  assertPlainObject,
  optionalBoolean,
  optionalFunction,
  optionalInteger,
} from "../../../lib/validate";
import type { NormalisedProviderConfig, ProviderClientConfig, ProviderConfig, ProviderInput } from "../types";
import { PRESETS } from "./presets";

const PROVIDER_KEYS = ["config", "override", "includeInNonPublicTenantsByDefault"];
const CONFIG_KEYS = [
  "thirdPartyId",
  "name",
  "clients",
  "issuer",
  "oidcDiscoveryEndpoint",
  "authorizationEndpoint",
  "authorizationEndpointQueryParams",
  "tokenEndpoint",
  "tokenEndpointBodyParams",
  "userInfoEndpoint",
  "jwksURI",
  "requireEmail",
  "validateIdTokenPayload",
  "validateAccessToken",
  "requestTimeout",
];
const CLIENT_KEYS = ["clientType", "clientId", "clientSecret", "scope", "forcePKCE", "additionalConfig"];
const URL_KEYS = [
  "issuer",
  "oidcDiscoveryEndpoint",
  "authorizationEndpoint",
  "tokenEndpoint",
  "userInfoEndpoint",
  "jwksURI",
] as const;

/**
 * Validates `signInAndUpFeature.providers` once, at init: every mistake is an INVALID_CONFIG naming the field. An
 * empty list is allowed (as SuperTokens allows it): the recipe then answers only /loginmethods.
 */
export function validateProviders(label: string, value: unknown): ProviderInput[] {
  if (!Array.isArray(value)) throw configError(label, "must be an array of { config: { thirdPartyId, clients } }");
  const ids = new Set<string>();
  return value.map((provider: unknown, i) => {
    const where = `${label}[${i}]`;
    assertPlainObject(where, provider);
    assertKnownKeys(where, provider, PROVIDER_KEYS);
    optionalFunction(`${where}.override`, provider.override);
    optionalBoolean(`${where}.includeInNonPublicTenantsByDefault`, provider.includeInNonPublicTenantsByDefault, false);
    const config = provider.config;
    assertPlainObject(`${where}.config`, config);
    assertKnownKeys(`${where}.config`, config, CONFIG_KEYS);
    const id = config.thirdPartyId;
    if (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(id))
      throw configError(`${where}.config.thirdPartyId`, "must be 1 to 64 letters, digits, - or _");
    if (ids.has(id)) throw configError(`${where}.config.thirdPartyId`, `"${id}" is listed twice`);
    ids.add(id);
    if (config.name !== undefined && typeof config.name !== "string")
      throw configError(`${where}.config.name`, "must be a string");
    for (const key of URL_KEYS) checkURL(`${where}.config.${key}`, config[key]);
    for (const key of ["authorizationEndpointQueryParams", "tokenEndpointBodyParams"] as const) {
      if (config[key] === undefined) continue;
      assertPlainObject(`${where}.config.${key}`, config[key]);
    }
    optionalBoolean(`${where}.config.requireEmail`, config.requireEmail, true);
    optionalFunction(`${where}.config.validateIdTokenPayload`, config.validateIdTokenPayload);
    optionalFunction(`${where}.config.validateAccessToken`, config.validateAccessToken);
    optionalInteger(`${where}.config.requestTimeout`, config.requestTimeout, 10_000, 100, 120_000);
    validateClients(`${where}.config.clients`, config.clients);
    if (id === "apple")
      (config.clients as { additionalConfig?: Record<string, unknown> }[]).forEach((c, j) =>
        checkAppleKey(`${where}.config.clients[${j}].additionalConfig.privateKey`, c.additionalConfig?.privateKey),
      );
    const preset = PRESETS[id];
    const discoverable = config.issuer !== undefined || config.oidcDiscoveryEndpoint !== undefined;
    if (
      preset === undefined &&
      !discoverable &&
      (config.authorizationEndpoint === undefined || config.tokenEndpoint === undefined)
    ) {
      throw configError(
        `${where}.config`,
        `"${id}" is not a built-in provider: give its issuer (OpenID Connect) or its authorizationEndpoint and tokenEndpoint`,
      );
    }
    return provider as unknown as ProviderInput;
  });
}

function validateClients(where: string, clients: unknown): void {
  if (!Array.isArray(clients) || clients.length === 0)
    throw configError(where, "must be a non-empty array of { clientId, clientSecret? }");
  const types = new Set<string | undefined>();
  clients.forEach((client: unknown, j) => {
    const at = `${where}[${j}]`;
    assertPlainObject(at, client);
    assertKnownKeys(at, client, CLIENT_KEYS);
    if (typeof client.clientId !== "string" || client.clientId === "")
      throw configError(`${at}.clientId`, "must be a non-empty string");
    if (client.clientSecret !== undefined && typeof client.clientSecret !== "string")
      throw configError(`${at}.clientSecret`, "must be a string");
    if (client.clientType !== undefined && typeof client.clientType !== "string")
      throw configError(`${at}.clientType`, "must be a string");
    if (types.has(client.clientType as string | undefined))
      throw configError(`${at}.clientType`, "two clients have the same clientType");
    types.add(client.clientType as string | undefined);
    if (
      client.scope !== undefined &&
      (!Array.isArray(client.scope) || !client.scope.every((s) => typeof s === "string"))
    ) {
      throw configError(`${at}.scope`, "must be an array of strings");
    }
    optionalBoolean(`${at}.forcePKCE`, client.forcePKCE, true);
    if (client.additionalConfig !== undefined) assertPlainObject(`${at}.additionalConfig`, client.additionalConfig);
  });
  if (clients.length > 1 && types.has(undefined))
    throw configError(where, "with several clients, each needs a clientType");
}

// Apple's client secret is signed at each code exchange: a key that cannot sign would fail there, as a 500. Native
// clients (ID tokens only) need no key, so only a key that is given is checked. The message never quotes it.
function checkAppleKey(field: string, value: unknown): void {
  if (value === undefined) return;
  let ok: boolean;
  try {
    const key = crypto.createPrivateKey(String(value));
    ok =
      typeof value === "string" &&
      key.asymmetricKeyType === "ec" &&
      key.asymmetricKeyDetails?.namedCurve === "prime256v1";
  } catch {
    ok = false;
  }
  if (!ok) throw configError(field, "must be the PEM of Apple's P-256 (ES256) private key");
}

// Endpoints carry the client secret and the user's tokens: https only, except on this machine.
function checkURL(field: string, value: unknown): void {
  if (value === undefined) return;
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw configError(field, "must be an absolute URL");
  }
  if (
    typeof value !== "string" ||
    !(url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname)))
  ) {
    throw configError(field, "must be an https URL (http only on localhost)");
  }
}

/** The provider's config for one client (by clientType; the only client when there is one), preset applied. */
export function resolveProviderConfig(
  input: ProviderInput,
  clientType: string | undefined,
): NormalisedProviderConfig | undefined {
  const config: ProviderConfig = input.config;
  const client: ProviderClientConfig | undefined =
    clientType === undefined && config.clients.length === 1
      ? config.clients[0]
      : config.clients.find((c) => c.clientType === clientType);
  if (client === undefined) return undefined;
  const preset = PRESETS[config.thirdPartyId];
  const merged: Partial<ProviderConfig> = { ...preset?.defaults(client), ...definedOnly(config) };
  const normalised: NormalisedProviderConfig = {
    thirdPartyId: config.thirdPartyId,
    name: config.name ?? preset?.name ?? config.thirdPartyId,
    client: {
      ...client,
      scope: client.scope ?? preset?.defaultScope ?? ["openid", "email"],
      forcePKCE: client.forcePKCE ?? preset?.defaultForcePKCE ?? true,
    },
    issuer: merged.issuer,
    oidcDiscoveryEndpoint: merged.oidcDiscoveryEndpoint,
    authorizationEndpoint: merged.authorizationEndpoint,
    authorizationEndpointQueryParams: merged.authorizationEndpointQueryParams ?? {},
    tokenEndpoint: merged.tokenEndpoint,
    tokenEndpointBodyParams: merged.tokenEndpointBodyParams ?? {},
    userInfoEndpoint: merged.userInfoEndpoint,
    jwksURI: merged.jwksURI,
    requireEmail: merged.requireEmail ?? true,
    validateIdTokenPayload: merged.validateIdTokenPayload,
    validateAccessToken: merged.validateAccessToken,
    requestTimeoutMs: merged.requestTimeout ?? 10_000,
  };
  const presetCheck = preset?.validateAccessToken;
  if (normalised.validateAccessToken === undefined && presetCheck !== undefined) {
    normalised.validateAccessToken = ({ accessToken }) => presetCheck(normalised, accessToken);
  }
  return normalised;
}

function definedOnly(config: ProviderConfig): Partial<ProviderConfig> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as Partial<ProviderConfig>;
}
