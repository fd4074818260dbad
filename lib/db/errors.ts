import { LatchkeyError } from "../error";

// Driver codes that mean "the database is not there or will not let us in", as opposed to a failed statement.
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "ER_ACCESS_DENIED_ERROR",
  "ER_BAD_DB_ERROR",
  "ER_DBACCESS_DENIED_ERROR",
  "28P01",
  "28000",
  "3D000",
  "57P01",
  "57P03",
  "SQLITE_CANTOPEN",
]);

/** True when `err` says the database could not be reached, rather than that a statement failed. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== "object") return false;
  if (typeof e.code === "string" && CONNECTION_CODES.has(e.code)) return true;
  return (
    e.name === "KnexTimeoutError" ||
    (typeof e.message === "string" &&
      /Connection terminated|connect ECONNREFUSED|^Cannot open database because/.test(e.message))
  );
}

/** Replaces every secret in `text` with "***". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join("***");
  }
  return out;
}

/**
 * A GENERAL_ERROR for a database fault: names the database (host and port) and the driver's code, never secrets.
 * A failed statement's message is left out because knex writes the statement's bindings (hashes, tokens) into it.
 */
export function databaseError(err: unknown, description: string, secrets: readonly string[]): LatchkeyError {
  const e = (typeof err === "object" && err !== null ? err : {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? ` [${e.code}]` : "";
  if (!isConnectionError(err)) {
    return new LatchkeyError("GENERAL_ERROR", `Database error on ${description}${code}`);
  }
  const detail = redact(typeof e.message === "string" ? e.message : String(err), secrets);
  return new LatchkeyError("GENERAL_ERROR", `Cannot reach the database (${description})${code}: ${detail}`);
}
