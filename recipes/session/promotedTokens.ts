// Access tokens from a refresh whose lineage this process already recorded, with their renewed replacement: a
// client that keeps sending the old one costs no query and no signature. Bounded, oldest dropped first.
const PROMOTED_CACHE_LIMIT = 10_000;

/** The renewed access token of each (session, issued refresh token) this process has promoted. */
export class PromotedTokenCache {
  private readonly tokens = new Map<string, string>();

  /** A cache of at most `limit` entries. */
  constructor(private readonly limit = PROMOTED_CACHE_LIMIT) {}

  /** The key of one promoted lineage. */
  static key(sessionHandle: string, rth: string): string {
    return `${sessionHandle}:${rth}`;
  }

  /** The renewed token for this key, if this process made one. */
  get(key: string): string | undefined {
    return this.tokens.get(key);
  }

  /** Records the renewed token; the first one recorded for a key stays. */
  remember(key: string, token: string): void {
    if (this.tokens.has(key)) return;
    if (this.tokens.size >= this.limit) {
      const oldest = this.tokens.keys().next();
      if (oldest.done !== true) this.tokens.delete(oldest.value);
    }
    this.tokens.set(key, token);
  }
}
