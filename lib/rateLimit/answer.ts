import type { BaseResponse } from "../framework/request";

/**
 * The answer to a request over a limit, the same on every limited route: 429, Retry-After (seconds, exposed to a
 * frontend on another origin) and `{ message }`, as the other non-2xx answers outside the session recipe. The
 * frontend SDKs throw the raw response for any status >= 300.
 */
export function answerTooManyRequests(res: BaseResponse, retryAfterSeconds: number): void {
  res.setStatus(429);
  res.setHeader("Retry-After", String(retryAfterSeconds));
  res.setHeader("Access-Control-Expose-Headers", "Retry-After", true);
  res.sendJSON({ message: "Too many requests" });
}
