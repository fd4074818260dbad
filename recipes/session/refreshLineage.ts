// The refresh token lineage rules, as pure functions over a session's state: no database, no clock of their own.
// recipeImplementation.ts reads the state (store.ts), asks these what a token means, and writes what they decide.
import { sameSecret, sha256 } from "../../lib/secrets";
import { hasValidMac, type ParsedRefreshToken } from "./refreshToken";

/**
 * How long after a refresh token became current its siblings (children of the same parent, issued by parallel
 * refreshes of one client before either was used) are still accepted. Past it, a sibling is theft.
 */
export const PARALLEL_REFRESH_WINDOW_MS = 60_000;

/** What the lineage rules read of a session. */
export interface LineageState {
  /** hash2 of the refresh token the client is known to hold. */
  refreshTokenHash2: string;
  /** hash2 of the one before it (null until the first rotation). */
  previousRefreshTokenHash2: string | null;
  /** When the current one became current (ms). */
  refreshTokenUpdatedAt: number;
  /** When the session ends (ms). */
  expiresAt: number;
  /** Keys the MAC of the session's refresh tokens. */
  refreshTokenSecret: string;
  antiCsrfToken: string | null;
}

/** Lineage columns to write; absent ones stay as they are. */
export interface LineageChanges {
  refreshTokenHash2?: string;
  previousRefreshTokenHash2?: string;
  refreshTokenUpdatedAt?: number;
}

/** What a presented refresh token means for the session. */
export type RefreshDecision =
  | { kind: "ok"; changes: LineageChanges }
  | { kind: "theft" }
  | { kind: "gone" }
  | { kind: "forged" }
  | { kind: "csrf" };

/** A refresh as the rules see it. */
export interface RefreshAttempt {
  token: ParsedRefreshToken;
  /** hash2 of the presented token. */
  presentedHash2: string;
  /** Whether the anti-CSRF value must match (VIA_TOKEN, cookie transfer), and the one the request sent. */
  antiCsrf: { check: boolean; presented: string | undefined };
  now: number;
}

/** What this refresh token means for the session as `state` has it (undefined: no such row). */
export function decideRefresh(state: LineageState | undefined, attempt: RefreshAttempt): RefreshDecision {
  const { token, presentedHash2, antiCsrf, now } = attempt;
  if (state === undefined || state.expiresAt <= now) return { kind: "gone" };
  if (!hasValidMac(token, state.refreshTokenSecret)) return { kind: "forged" };
  if (antiCsrf.check) {
    // Fails closed: a session without an anti-CSRF value, or a request without the header, does not pass.
    if (
      state.antiCsrfToken === null ||
      antiCsrf.presented === undefined ||
      !sameSecret(sha256(antiCsrf.presented), sha256(state.antiCsrfToken))
    ) {
      return { kind: "csrf" };
    }
  }
  const current = state.refreshTokenHash2;
  const previous = state.previousRefreshTokenHash2;
  const parentHash2 = token.parentHash1 === undefined ? undefined : sha256(token.parentHash1);
  const settling = previous !== null && state.refreshTokenUpdatedAt > now - PARALLEL_REFRESH_WINDOW_MS;
  if (sameSecret(presentedHash2, current)) {
    // The current token: its child is issued; the lineage moves on when the child is used.
    return { kind: "ok", changes: {} };
  }
  if (parentHash2 !== undefined && sameSecret(parentHash2, current)) {
    // A child of the current token whose access token was never used: the client has it, so it is current now.
    return {
      kind: "ok",
      changes: { refreshTokenHash2: presentedHash2, previousRefreshTokenHash2: current, refreshTokenUpdatedAt: now },
    };
  }
  if (settling && previous !== null && parentHash2 !== undefined && sameSecret(parentHash2, previous)) {
    // A sibling of the current token from a parallel refresh of the same parent: this one wins from now on.
    return { kind: "ok", changes: { refreshTokenHash2: presentedHash2 } };
  }
  // An issued token that was replaced, and whose replacement was used: two parties hold this session.
  // (The replaced token itself gets no grace period: replaying it right after the victim refreshed is
  // exactly what theft looks like.)
  return { kind: "theft" };
}

/** The lineage hashes an access token issued by a refresh carries: the token used (prh) and the one issued (rth). */
export interface IssuedLineage {
  prh: string;
  rth: string;
}

/**
 * First use of an access token issued by a refresh: the client holds the new refresh token, so it becomes current,
 * written only while the used one (prh) is still current (a compare-and-set, so parallel first uses agree).
 */
export function firstUseChanges(
  lineage: IssuedLineage,
  now: number,
): { whenCurrentIs: string; changes: LineageChanges } {
  return {
    whenCurrentIs: lineage.prh,
    changes: { refreshTokenHash2: lineage.rth, previousRefreshTokenHash2: lineage.prh, refreshTokenUpdatedAt: now },
  };
}

/** What to do when firstUseChanges' compare-and-set missed: the session is gone, or a sibling settles, or nothing. */
export type PromotionDecision = "gone" | "settle-sibling" | "keep";

/**
 * After a missed first-use compare-and-set: a sibling from a parallel refresh of the same parent is made current
 * within the window (only where prh is still the previous token); a later sibling's access token stays valid but
 * changes nothing.
 */
export function decidePromotion(
  state: Pick<LineageState, "refreshTokenHash2" | "previousRefreshTokenHash2" | "refreshTokenUpdatedAt"> | undefined,
  lineage: IssuedLineage,
  now: number,
): PromotionDecision {
  if (state === undefined) return "gone";
  const previous = state.previousRefreshTokenHash2;
  if (
    !sameSecret(state.refreshTokenHash2, lineage.rth) &&
    previous !== null &&
    sameSecret(previous, lineage.prh) &&
    state.refreshTokenUpdatedAt > now - PARALLEL_REFRESH_WINDOW_MS
  ) {
    return "settle-sibling";
  }
  return "keep";
}
