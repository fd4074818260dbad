import { debugLog } from "../../lib/logger";

const SWEEP_INTERVAL_MS = 3600_000;

/**
 * Sessions that ran out are deleted at most once an hour per process (the index on expires_at keeps it cheap)
 * rather than by a query on every login: on the first session a process creates, then in the background.
 */
export class ExpiredSessionSweep {
  private nextSweepAt = 0;

  /** A sweep that runs `deleteExpired` (which deletes every session expired by `now`). */
  constructor(
    private readonly deleteExpired: (now: number) => Promise<unknown>,
    private readonly intervalMs = SWEEP_INTERVAL_MS,
  ) {}

  /** Sweeps if the interval has passed; only the first sweep of a process is awaited. Failures are logged. */
  async maybeSweep(now: number): Promise<void> {
    if (now < this.nextSweepAt) return;
    const first = this.nextSweepAt === 0;
    this.nextSweepAt = now + this.intervalMs;
    const sweep = this.deleteExpired(now).catch((err: unknown) => {
      debugLog(`expired session sweep failed: ${err instanceof Error ? err.message : "unknown error"}`);
    });
    if (first) await sweep;
  }
}
