import type { Database } from "../db/database";
import { debugLog } from "../logger";
import { sha256 } from "../secrets";

/** At most `max` attempts per key in each window of `windowMs`. */
export interface RateLimitRule {
  max: number;
  windowMs: number;
}

/** The limits of one action: per email and per client address; undefined turns one off. */
export interface ActionLimits {
  perEmail: RateLimitRule | undefined;
  perIp: RateLimitRule | undefined;
}

/**
 * The name of a limited action, chosen by the recipe (e.g. "signin"): it starts every counter's key, so a recipe
 * must keep its names to keep its counters.
 */
export type LimitedAction = string;

/** What counts against a limit: the email of the attempt and the client's address, when known. */
export interface AttemptKeys {
  email?: string;
  ip?: string;
}

const SWEEP_INTERVAL_MS = 3600_000;

/**
 * Fixed-window counters kept in the database, so every process of a deployment counts the same attempts. Each key
 * is one row, bumped by one atomic upsert (insert, or on conflict: restart the window if it ran out, else add one),
 * which holds on SQLite, MySQL and PostgreSQL alike. Emails and addresses are stored only as sha256 hashes.
 * The table is the recipe's own (created by its migrations with columns limit_key, window_start, hits), so recipes
 * never share counters.
 */
export class RateLimiter {
  private readonly table: string;
  private nextSweepAt = 0;

  /**
   * A limiter over the recipe's rate-limit table (its name without the deployment's prefix, e.g.
   * "emailpassword_rate_limits"); `longestWindowMs` bounds how long a row can matter.
   */
  constructor(
    private readonly db: Database,
    table: string,
    private readonly longestWindowMs: number,
  ) {
    this.table = db.table(table);
  }

  /** Counts one attempt against each applicable limit; the seconds to wait when any is exceeded, else undefined. */
  async hit(action: LimitedAction, limits: ActionLimits, keys: AttemptKeys): Promise<number | undefined> {
    const now = Date.now();
    const counted = new Map<string, RateLimitRule>();
    if (limits.perEmail !== undefined && keys.email !== undefined)
      counted.set(limitKey(action, "email", keys.email), limits.perEmail);
    if (limits.perIp !== undefined && keys.ip !== undefined) counted.set(limitKey(action, "ip", keys.ip), limits.perIp);
    if (counted.size === 0) return undefined;
    const rows = await this.bump(counted, now);
    let wait: number | undefined;
    for (const [key, rule] of counted) {
      // Swept by another process between the statements: this attempt is the window's first.
      const { hits, windowStart } = rows.get(key) ?? { hits: 1, windowStart: now };
      if (hits > rule.max)
        wait = Math.max(wait ?? 0, Math.max(1, Math.ceil((windowStart + rule.windowMs - now) / 1000)));
    }
    this.sweep(now);
    return wait;
  }

  /** Forgets the per-email count of an action (after a successful sign-in); the per-address count stays. */
  async forgetEmail(action: LimitedAction, email: string): Promise<void> {
    await this.db.run((knex) =>
      knex(this.table)
        .where({ limit_key: limitKey(action, "email", email) })
        .del(),
    );
  }

  /**
   * Bumps every key in one transaction. The upserts hold their rows' locks until commit, so the counts read back
   * are this attempt's own, not ones parallel attempts already pushed further (which would refuse attempts within
   * the limit). Keys are taken in sorted order, so two attempts sharing keys cannot deadlock.
   */
  private bump(
    counted: ReadonlyMap<string, RateLimitRule>,
    now: number,
  ): Promise<Map<string, { hits: number; windowStart: number }>> {
    const { table } = this;
    const keys = [...counted.keys()].sort();
    return this.db.transaction(async (trx) => {
      for (const key of keys) {
        const expiredBefore = now - (counted.get(key)?.windowMs ?? 0);
        // On MySQL assignments see the columns assigned before them, so hits is computed first, from the old window.
        await trx(table)
          .insert({ limit_key: key, window_start: now, hits: 1 })
          .onConflict("limit_key")
          .merge({
            hits: trx.raw("case when ?? <= ? then 1 else ?? + 1 end", [
              `${table}.window_start`,
              expiredBefore,
              `${table}.hits`,
            ]),
            window_start: trx.raw("case when ?? <= ? then ? else ?? end", [
              `${table}.window_start`,
              expiredBefore,
              now,
              `${table}.window_start`,
            ]),
          });
      }
      const rows = await this.db
        .forUpdate(trx(table).whereIn("limit_key", keys))
        .select<{ limit_key: string; hits: number | string; window_start: number | string }[]>(
          "limit_key",
          "hits",
          "window_start",
        );
      return new Map(rows.map((r) => [r.limit_key, { hits: Number(r.hits), windowStart: Number(r.window_start) }]));
    });
  }

  // Rows whose window ran out long ago are deleted at most once an hour per process, in the background.
  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_INTERVAL_MS;
    this.db
      .run((knex) =>
        knex(this.table)
          .where("window_start", "<", now - this.longestWindowMs)
          .del(),
      )
      .catch((err: unknown) => {
        debugLog(`rate limit sweep failed: ${err instanceof Error ? err.message : "unknown error"}`);
      });
  }
}

/** The row key of a counter; the email or address itself is never stored. */
export function limitKey(action: LimitedAction, kind: "email" | "ip", value: string): string {
  return `${action}:${kind}:${sha256(value)}`;
}
