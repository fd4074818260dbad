// Lineages this process already recorded: an access token from a refresh keeps its lineage claims (prh, rth) for its
// whole life, and only its first use in a process needs the database. Bounded, oldest dropped first; a lineage that
// was dropped costs one more compare-and-set (which misses) and a read, never a wrong answer.
const PROMOTED_CACHE_LIMIT = 10_000;

/** The (session, issued refresh token) pairs whose first use this process has recorded. */
export class PromotedLineages {
  private readonly lineages = new Set<string>();

  /** A set of at most `limit` entries. */
  constructor(private readonly limit = PROMOTED_CACHE_LIMIT) {}

  /** The key of one promoted lineage. */
  static key(sessionHandle: string, rth: string): string {
    return `${sessionHandle}:${rth}`;
  }

  /** True once this process has recorded the lineage. */
  has(key: string): boolean {
    return this.lineages.has(key);
  }

  /** Records a lineage. */
  remember(key: string): void {
    if (this.lineages.has(key)) return;
    if (this.lineages.size >= this.limit) {
      const oldest = this.lineages.values().next();
      if (oldest.done !== true) this.lineages.delete(oldest.value);
    }
    this.lineages.add(key);
  }
}
