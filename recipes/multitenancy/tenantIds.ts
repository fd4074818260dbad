import { DEFAULT_TENANT_ID } from "../../lib/seams";

// Lower-case letters, digits and inner hyphens: a subset of the path segment SuperTokens routes ([a-zA-Z0-9-]), so
// every tenant is reachable by its path, and no two tenants differ only in case.
const PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

// Names a tenant cannot take besides the first segments of the routes the recipe list serves (checked at call time,
// so `/auth/jwt/jwks.json` never means tenant "jwt"): SuperTokens' reserved names and route words of recipes that
// may be added later, and its app-id prefix.
// One string, not a list of quoted words: these are path words, not the recipe ids some of them share.
const RESERVED = new Set(
  (
    "appid authorisationurl callback config dashboard hello jwt loginmethods mfa multitenancy recipe signin " +
    "signinup signout signup user users webauthn"
  ).split(" "),
);

/** Why `tenantId` cannot name a new tenant, or undefined when it can. `routeSegments` are the routes' first segments. */
export function tenantIdProblem(tenantId: unknown, routeSegments: ReadonlySet<string>): string | undefined {
  if (typeof tenantId !== "string" || !PATTERN.test(tenantId))
    return "must be 1 to 64 lower-case letters, digits or inner hyphens";
  if (tenantId === DEFAULT_TENANT_ID) return undefined;
  if (RESERVED.has(tenantId) || routeSegments.has(tenantId) || tenantId.startsWith("appid-"))
    return "is a reserved word (a route's name or SuperTokens' appid- prefix)";
  return undefined;
}
