// TEMPORARY, DELETE WHEN MERGING arch-session (issue 14): until the Session recipe provides the `Sessions`
// capability itself, this recipe offers one built on the Session recipe's PUBLIC index functions, so the branch runs
// alone. It is listed after Session's own provider in any recipe list where Session.init() comes first, so once
// Session provides `Sessions` this one is never used. Remove this file and its line in recipe.ts provides().
import type { SessionContainerInterface, SessionService } from "../../lib/seams";
import { DEFAULT_TENANT_ID } from "../../lib/seams";
import Session, { type SessionContainer, type VerifySessionOptions } from "../session/index";

// The Session recipe's container lacks two methods of the seam until arch-session lands: forward, add those two.
function adapt(session: object): SessionContainerInterface {
  return new Proxy(session, {
    get(target, prop) {
      if (prop === "getTenantId" && !(prop in target)) return () => DEFAULT_TENANT_ID;
      if (prop === "getAccessTokenPayload" && !(prop in target)) return () => (target as { getJWTPayload(): unknown }).getJWTPayload();
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as SessionContainerInterface;
}

/** Sessions through the Session recipe's public functions (see the note at the top). */
export const sessionsBridge: SessionService = {
  createNewSession: async ({ req, res, userId, jwtPayload, sessionData, userContext }) =>
    adapt(await Session.createNewSession(req, res, userId, jwtPayload ?? {}, sessionData ?? {}, userContext)),
  getSession: async ({ req, res, options, userContext }) => {
    // Undefined only with sessionRequired: false, as the seam says (the overloads cannot see that from here).
    const session = (await Session.getSession(req, res, options as VerifySessionOptions, userContext)) as SessionContainer | undefined;
    return session === undefined ? undefined : adapt(session);
  },
  revokeAllSessionsForUser: ({ userId, userContext }) => Session.revokeAllSessionsForUser(userId, userContext),
};
