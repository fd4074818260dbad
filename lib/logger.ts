import { redact } from "./db/errors";
import { configError } from "./error";

/** How much a log line matters: debug lines are written only when debugging is on. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** A logger given as one function: `(message, level) => void` (so `console.log` works). */
export type LogFunction = (message: string, level: LogLevel) => void;

/** A logger given as an object: pino, winston, bunyan and `console` have this shape. Each method gets one string. */
export interface LoggerObject {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The `logger` option of `Latchkey.init()`. */
export type LoggerInput = LogFunction | LoggerObject;

/** The logging options of `Latchkey.init()`, validated. */
export interface LoggingConfig {
  logger: LogFunction | undefined;
  debug: boolean | undefined;
}

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

let sink: LogFunction | undefined;
let debugOption: boolean | undefined;

/** Checks the `logger` and `debug` options of `Latchkey.init()`; throws INVALID_CONFIG naming the field. */
export function normaliseLogging(logger: unknown, debug: unknown): LoggingConfig {
  if (debug !== undefined && typeof debug !== "boolean") throw configError("debug", "must be true or false");
  if (logger === undefined) return { logger: undefined, debug };
  if (typeof logger === "function") return { logger: logger as LogFunction, debug };
  if (typeof logger === "object" && logger !== null) {
    const missing = LEVELS.filter((level) => typeof (logger as Record<string, unknown>)[level] !== "function");
    if (missing.length > 0) throw configError("logger", `lacks ${missing.join(", ")}: pass pino, winston or console`);
    const object = logger as LoggerObject;
    // Called as methods: pino's and winston's use `this`.
    return { logger: (message, level) => object[level](message), debug };
  }
  throw configError("logger", "must be a function (message, level) or an object with debug, info, warn and error");
}

/** Sends Latchkey's log lines to the configured logger (Latchkey.init calls it). */
export function configureLogging(config: LoggingConfig): void {
  sink = config.logger;
  debugOption = config.debug;
}

/** Back to the defaults: stderr, debug lines only under DEBUG=latchkey (Latchkey.reset calls it). */
export function resetLogging(): void {
  sink = undefined;
  debugOption = undefined;
  bursts.clear();
}

// Without the option, the environment decides, read on each call (only failure paths log), so a test can turn it on
// around the code it watches.
/** True when debug lines are written: the `debug` option, else DEBUG=latchkey or LATCHKEY_DEBUG=1. */
export function debugEnabled(): boolean {
  return debugOption ?? (/(^|,)\s*latchkey\b/.test(process.env.DEBUG ?? "") || process.env.LATCHKEY_DEBUG === "1");
}

/** Writes one line at `level` to the configured logger (stderr by default), with `secrets` scrubbed. */
export function log(level: LogLevel, message: string, secrets: readonly string[] = []): void {
  if (level === "debug" && !debugEnabled()) return;
  const line = redact(message, secrets);
  try {
    if (sink === undefined) process.stderr.write(`[latchkey] ${level === "debug" ? "" : `${level}: `}${line}\n`);
    else sink(line, level);
  } catch {
    // A failing logger must not fail the request it was describing.
  }
}

/** Writes a debug line when debugging is on, with `secrets` scrubbed. */
export function debugLog(message: string, secrets: readonly string[] = []): void {
  log("debug", message, secrets);
}

/** Who an auth decision was about; never a token, password, code or secret. */
export interface AuthSubject {
  sessionHandle?: string | undefined;
  userId?: string | undefined;
}

/** Logs (at debug level) why an auth decision went the way it did, with the session handle and user id if known. */
export function authDecision(reason: string, subject: AuthSubject = {}, level: LogLevel = "debug"): void {
  if (level === "debug" && !debugEnabled()) return;
  const who = [
    subject.sessionHandle !== undefined ? `session ${subject.sessionHandle}` : undefined,
    subject.userId !== undefined ? `user ${subject.userId}` : undefined,
  ].filter((part) => part !== undefined);
  log(level, `auth: ${reason}${who.length > 0 ? ` (${who.join(", ")})` : ""}`);
}

/** How long one cause of server errors is logged once: later ones in the window are counted, not written. */
export const BURST_WINDOW_MS = 10_000;
const MAX_CAUSES = 100;
const bursts = new Map<string, { since: number; suppressed: number }>();

/**
 * Logs a server error (a 5xx Latchkey answered) at error level, once per cause per BURST_WINDOW_MS: a database that
 * is down fails every request, and one line says so as well as thousands. The next line for that cause after the
 * window says how many were left out.
 */
export function logServerError(cause: string, context: string): void {
  const now = Date.now();
  const burst = bursts.get(cause);
  if (burst !== undefined && now - burst.since < BURST_WINDOW_MS) {
    burst.suppressed++;
    return;
  }
  const suppressed = burst?.suppressed ?? 0;
  bursts.delete(cause);
  if (bursts.size >= MAX_CAUSES) bursts.delete(bursts.keys().next().value as string);
  bursts.set(cause, { since: now, suppressed: 0 });
  const more = suppressed > 0 ? ` (${suppressed} more like it since the last such line, not logged)` : "";
  log("error", `${context}: ${cause}${more}`);
}

/** A knex `log` option that sends knex's own warnings to the debug log instead of the console. */
export function knexLogger(
  secrets: readonly string[],
): Record<"warn" | "error" | "deprecate" | "debug", (message: unknown) => void> {
  const write = (message: unknown): void =>
    debugLog(`knex: ${message instanceof Error ? message.message : String(message)}`, secrets);
  return { warn: write, error: write, deprecate: write, debug: write };
}
