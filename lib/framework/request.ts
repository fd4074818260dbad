/** HTTP methods Latchkey routes. */
export type HTTPMethod = "get" | "post" | "put" | "delete" | "patch" | "options" | "head";

/** The request as every recipe sees it, whatever framework carried it. */
export interface BaseRequest {
  /** Lower-case method. */
  getMethod(): HTTPMethod;
  /** The path of the URL, without query string, as the client sent it. */
  getPath(): string;
  /** One header value; a header sent several times gives its first value. */
  getHeader(name: string): string | undefined;
  /** One cookie value; a cookie sent several times gives its first value. */
  getCookie(name: string): string | undefined;
  /** One query parameter; a parameter sent several times gives its first value. */
  getQuery(name: string): string | undefined;
  /** The address of the peer that opened the connection (a proxy, if there is one); undefined when unknown. */
  getRemoteAddress?(): string | undefined;
  /** The body as a JSON object; `{}` when empty. Throws BAD_INPUT_ERROR if it is not a JSON object. */
  getJSONBody(): Promise<Record<string, unknown>>;
  /** The framework's own request object. */
  readonly original: unknown;
}

/** Attributes of a cookie that a recipe sets or clears. */
export interface CookieOptions {
  httpOnly: boolean;
  secure: boolean;
  sameSite: "lax" | "strict" | "none";
  path: string;
  domain?: string;
  /** Milliseconds since the epoch; 0 clears the cookie. */
  expires: number;
}

/** The response as every recipe writes it, whatever framework carries it. */
export interface BaseResponse {
  setStatus(status: number): void;
  /** Sets a header; with `append`, adds to an existing value (comma-separated). */
  setHeader(name: string, value: string, append?: boolean): void;
  setCookie(name: string, value: string, options: CookieOptions): void;
  /** Sends `body` as JSON and ends the response. */
  sendJSON(body: unknown): void;
  /** Sends a text body (a page, a script) with its content type and ends the response. */
  sendText(body: string, contentType: string): void;
  /** True once the response has been sent. */
  isSent(): boolean;
  /** The framework's own response object. */
  readonly original: unknown;
}
