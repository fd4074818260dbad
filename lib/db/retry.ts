import { debugLog } from "../logger";

// Driver codes for "the database gave up this transaction so that another could go on; run it again": InnoDB's
// deadlock and a Galera certification conflict (both ER_LOCK_DEADLOCK, errno 1213, SQLSTATE 40001, on a Galera
// cluster at COMMIT), PostgreSQL's serialization failure and deadlock. The transaction was rolled back whole, so
// nothing of it is left to undo. A lock wait timeout is not here: it already waited long, and keeps the transaction.
const RETRYABLE_CODES = new Set(["ER_LOCK_DEADLOCK", "40001", "40P01"]);

/** True when `err` says the database rolled the transaction back for a conflict, so running it again is safe. */
export function isRetryableConflict(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown; sqlState?: unknown } | null;
  if (e === null || typeof e !== "object") return false;
  return (typeof e.code === "string" && RETRYABLE_CODES.has(e.code)) || e.errno === 1213 || e.sqlState === "40001";
}

/** How often work is run in all (the first run and its retries) before the conflict is reported as an error. */
export const MAX_ATTEMPTS = 6;

/** Counts of conflicts seen, per process: for operators and the cluster benchmark. */
export interface ConflictStats {
  /** Runs that were repeated after a conflict. */
  retried: number;
  /** Conflicts that outlasted every attempt (and became errors). */
  gaveUp: number;
}

/**
 * Runs `work`, and again after a random pause when it fails with a conflict the database rolled back, up to
 * MAX_ATTEMPTS runs in all. The pauses grow (about 5, 10, 20, 40, 80 ms) and are jittered, so that the processes
 * that collided do not collide again in lockstep.
 */
export async function retryOnConflict<T>(work: () => Promise<T>, stats: ConflictStats): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isRetryableConflict(err)) throw err;
      const code = String((err as { code?: unknown }).code);
      if (attempt >= MAX_ATTEMPTS) {
        stats.gaveUp++;
        debugLog(`write conflict [${code}] persisted after ${attempt} attempts; giving up`);
        throw err;
      }
      stats.retried++;
      debugLog(`write conflict [${code}], attempt ${attempt}: running the transaction again`);
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** (attempt - 1) * (0.5 + Math.random())));
    }
  }
}
