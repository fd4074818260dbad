import { redact } from "./db/errors";

// Debug output is off unless asked for, and even then passes through redaction. Read on each call (only failure
// paths log), so a test can turn it on around the code it watches.
const enabled = (): boolean => /(^|,)\s*latchkey\b/.test(process.env.DEBUG ?? "") || process.env.LATCHKEY_DEBUG === "1";

/** Writes a debug line to stderr when DEBUG=latchkey (or LATCHKEY_DEBUG=1) is set, with `secrets` scrubbed. */
export function debugLog(message: string, secrets: readonly string[] = []): void {
  if (enabled()) process.stderr.write(`[latchkey] ${redact(message, secrets)}\n`);
}

/** A knex `log` option that sends knex's own warnings to the debug log instead of the console. */
export function knexLogger(
  secrets: readonly string[],
): Record<"warn" | "error" | "deprecate" | "debug", (message: unknown) => void> {
  const write = (message: unknown): void =>
    debugLog(`knex: ${message instanceof Error ? message.message : String(message)}`, secrets);
  return { warn: write, error: write, deprecate: write, debug: write };
}
