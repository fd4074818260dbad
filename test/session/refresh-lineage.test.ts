import { expect } from "chai";
import { sha256 } from "../../lib/secrets";
import {
  decidePromotion,
  decideRefresh,
  firstUseChanges,
  type LineageState,
  PARALLEL_REFRESH_WINDOW_MS,
  type RefreshAttempt,
} from "../../recipes/session/refreshLineage";
import {
  createRefreshToken,
  hash2,
  newRefreshTokenSecret,
  parseRefreshToken,
} from "../../recipes/session/refreshToken";

// The refresh lineage rules alone: no database, no clock but the `now` each case passes.
describe("session: refresh lineage rules (pure)", () => {
  const handle = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const secret = newRefreshTokenSecret();
  const NOW = 1_700_000_000_000;

  /** A token issued by the server (a child of `parent` when given). */
  function issue(parent?: string): string {
    return createRefreshToken(handle, parent, secret);
  }

  function attempt(token: string, overrides: Partial<RefreshAttempt> = {}): RefreshAttempt {
    const parsed = parseRefreshToken(token);
    if (parsed === undefined) throw new Error("test token does not parse");
    return {
      token: parsed,
      presentedHash2: hash2(token),
      antiCsrf: { check: false, presented: undefined },
      now: NOW,
      ...overrides,
    };
  }

  function state(current: string, previous: string | null, overrides: Partial<LineageState> = {}): LineageState {
    return {
      refreshTokenHash2: hash2(current),
      previousRefreshTokenHash2: previous === null ? null : hash2(previous),
      refreshTokenUpdatedAt: NOW - 1_000,
      expiresAt: NOW + 3_600_000,
      refreshTokenSecret: secret,
      antiCsrfToken: null,
      ...overrides,
    };
  }

  it("the current token: ok, nothing moves until its child is used", () => {
    const root = issue();
    expect(decideRefresh(state(root, null), attempt(root))).to.deep.equal({ kind: "ok", changes: {} });
  });

  it("a child of the current token (its access token never used): ok, and it becomes current", () => {
    const root = issue();
    const child = issue(root);
    expect(decideRefresh(state(root, null), attempt(child))).to.deep.equal({
      kind: "ok",
      changes: { refreshTokenHash2: hash2(child), previousRefreshTokenHash2: hash2(root), refreshTokenUpdatedAt: NOW },
    });
  });

  it("a sibling of the current token within the parallel window: ok, it wins from now on", () => {
    const root = issue();
    const winner = issue(root);
    const sibling = issue(root);
    expect(decideRefresh(state(winner, root), attempt(sibling))).to.deep.equal({
      kind: "ok",
      changes: { refreshTokenHash2: hash2(sibling) },
    });
  });

  it("a sibling after the parallel window: theft", () => {
    const root = issue();
    const winner = issue(root);
    const sibling = issue(root);
    const settled = state(winner, root, { refreshTokenUpdatedAt: NOW - PARALLEL_REFRESH_WINDOW_MS - 1 });
    expect(decideRefresh(settled, attempt(sibling))).to.deep.equal({ kind: "theft" });
  });

  it("a replaced token whose replacement was used: theft, with no grace period", () => {
    const root = issue();
    const child = issue(root);
    expect(decideRefresh(state(child, root, { refreshTokenUpdatedAt: NOW }), attempt(root))).to.deep.equal({
      kind: "theft",
    });
    // A grandchild's parent is neither current nor previous's sibling: also theft.
    const grandchildOfRoot = issue(issue(root));
    expect(decideRefresh(state(issue(child), child), attempt(grandchildOfRoot))).to.deep.equal({ kind: "theft" });
  });

  it("a token whose MAC was not made with the session's secret is forged, never theft", () => {
    const root = issue();
    const other = createRefreshToken(handle, undefined, newRefreshTokenSecret());
    expect(decideRefresh(state(root, null), attempt(other))).to.deep.equal({ kind: "forged" });
    const parsed = parseRefreshToken(root);
    if (parsed === undefined) throw new Error("no parse");
    const tampered = { ...parsed, mac: parsed.mac.slice(0, -1) + (parsed.mac.endsWith("A") ? "B" : "A") };
    expect(decideRefresh(state(root, null), { ...attempt(root), token: tampered })).to.deep.equal({ kind: "forged" });
  });

  it("anti-CSRF: checked only when asked, fails closed without a value on either side", () => {
    const root = issue();
    const withValue = state(root, null, { antiCsrfToken: "csrf-value" });
    expect(
      decideRefresh(withValue, attempt(root, { antiCsrf: { check: true, presented: "csrf-value" } })).kind,
    ).to.equal("ok");
    expect(decideRefresh(withValue, attempt(root, { antiCsrf: { check: true, presented: "other" } })).kind).to.equal(
      "csrf",
    );
    expect(decideRefresh(withValue, attempt(root, { antiCsrf: { check: true, presented: undefined } })).kind).to.equal(
      "csrf",
    );
    expect(
      decideRefresh(state(root, null), attempt(root, { antiCsrf: { check: true, presented: "x" } })).kind,
    ).to.equal("csrf");
    expect(decideRefresh(withValue, attempt(root, { antiCsrf: { check: false, presented: undefined } })).kind).to.equal(
      "ok",
    );
  });

  it("a session that is gone or expired: gone, before anything else is looked at", () => {
    const root = issue();
    expect(decideRefresh(undefined, attempt(root))).to.deep.equal({ kind: "gone" });
    expect(decideRefresh(state(root, null, { expiresAt: NOW }), attempt(root))).to.deep.equal({ kind: "gone" });
    const forgedOnExpired = createRefreshToken(handle, undefined, newRefreshTokenSecret());
    expect(decideRefresh(state(root, null, { expiresAt: NOW - 1 }), attempt(forgedOnExpired))).to.deep.equal({
      kind: "gone",
    });
  });

  it("first use of a refreshed access token: its token becomes current only while the used one still is", () => {
    const prh = sha256("used");
    const rth = sha256("issued");
    expect(firstUseChanges({ prh, rth }, NOW)).to.deep.equal({
      whenCurrentIs: prh,
      changes: { refreshTokenHash2: rth, previousRefreshTokenHash2: prh, refreshTokenUpdatedAt: NOW },
    });
  });

  it("after a missed first-use write: gone, a sibling settles within the window, otherwise nothing changes", () => {
    const prh = sha256("parent");
    const rth = sha256("mine");
    const other = sha256("sibling");
    const lineage = { prh, rth };
    expect(decidePromotion(undefined, lineage, NOW)).to.equal("gone");
    expect(
      decidePromotion(
        { refreshTokenHash2: other, previousRefreshTokenHash2: prh, refreshTokenUpdatedAt: NOW - 10 },
        lineage,
        NOW,
      ),
    ).to.equal("settle-sibling");
    const late = NOW - PARALLEL_REFRESH_WINDOW_MS - 1;
    expect(
      decidePromotion(
        { refreshTokenHash2: other, previousRefreshTokenHash2: prh, refreshTokenUpdatedAt: late },
        lineage,
        NOW,
      ),
    ).to.equal("keep");
    // Already current (a parallel first use won), or the lineage moved past this parent: nothing to do.
    expect(
      decidePromotion(
        { refreshTokenHash2: rth, previousRefreshTokenHash2: prh, refreshTokenUpdatedAt: NOW },
        lineage,
        NOW,
      ),
    ).to.equal("keep");
    expect(
      decidePromotion(
        { refreshTokenHash2: other, previousRefreshTokenHash2: sha256("elsewhere"), refreshTokenUpdatedAt: NOW },
        lineage,
        NOW,
      ),
    ).to.equal("keep");
    expect(
      decidePromotion(
        { refreshTokenHash2: other, previousRefreshTokenHash2: null, refreshTokenUpdatedAt: NOW },
        lineage,
        NOW,
      ),
    ).to.equal("keep");
  });
});
