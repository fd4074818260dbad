/** The stable `type` strings the core raises; each recipe's error.ts adds its own. */
export type LatchkeyErrorType = "GENERAL_ERROR" | "BAD_INPUT_ERROR" | "INVALID_CONFIG" | "NOT_INITIALISED";

// A registered symbol, so errors from two copies of the package still recognise each other.
const BRAND = Symbol.for("latchkey.error");

/** Options of a LatchkeyError beyond its type and message. */
export interface LatchkeyErrorOptions<Payload = unknown> {
  payload?: Payload;
  /** Id of the recipe that raised it, so that recipe can turn it into a response. */
  fromRecipe?: string;
  cause?: unknown;
}

/**
 * Every error Latchkey raises on purpose: a stable `type`, a message free of secrets, and a `payload`. Recipes
 * subclass it with a discriminated union of their types and payloads, so `err.type === "X"` types `err.payload`.
 */
export class LatchkeyError<Type extends string = string, Payload = unknown> extends Error {
  static readonly GENERAL_ERROR = "GENERAL_ERROR";
  static readonly BAD_INPUT_ERROR = "BAD_INPUT_ERROR";
  static readonly INVALID_CONFIG = "INVALID_CONFIG";
  static readonly NOT_INITIALISED = "NOT_INITIALISED";

  readonly type: Type;
  readonly payload: Payload;
  readonly fromRecipe: string | undefined;
  private readonly [BRAND] = true;

  /** Creates an error of the given stable type. */
  constructor(type: Type, message: string, options: LatchkeyErrorOptions<Payload> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LatchkeyError";
    this.type = type;
    this.payload = options.payload as Payload;
    this.fromRecipe = options.fromRecipe;
  }

  /** Alias of `type`, as older SuperTokens code reads it. */
  get errType(): Type {
    return this.type;
  }

  /** True when `err` was raised by Latchkey (any copy of the package). */
  static isErrorFromAuth(err: unknown): err is LatchkeyError {
    return typeof err === "object" && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** An INVALID_CONFIG error whose message starts with the name of the offending field. */
export function configError(field: string, problem: string): LatchkeyError {
  return new LatchkeyError("INVALID_CONFIG", `${field}: ${problem}`);
}

/** A BAD_INPUT_ERROR (400) with a message meant for the API caller. */
export function badInput(message: string): LatchkeyError {
  return new LatchkeyError("BAD_INPUT_ERROR", message);
}

/** The line a request-bound error's stack starts with, so that a framework's default 500 page names the fix. */
export const ERROR_HANDLER_HINT =
  "(If this became a 500: add app.use(errorHandler()) from latchkey/framework/express after your routes; it answers Latchkey's errors with their own status, such as 401.)";

/**
 * Rethrows `err`. A Latchkey error first gets ERROR_HANDLER_HINT in its stack: called from the app's own route,
 * without errorHandler() it reaches the framework's default handler, which answers 500 and prints the stack.
 * Only the stack changes: the message, which handlers and answers use, stays as it was.
 */
export function rethrowWithErrorHandlerHint(err: unknown): never {
  if (LatchkeyError.isErrorFromAuth(err) && err.stack !== undefined && !err.stack.includes(ERROR_HANDLER_HINT)) {
    const end = err.stack.indexOf("\n    at ");
    err.stack =
      end === -1
        ? `${err.stack} ${ERROR_HANDLER_HINT}`
        : `${err.stack.slice(0, end)} ${ERROR_HANDLER_HINT}${err.stack.slice(end)}`;
  }
  throw err;
}
