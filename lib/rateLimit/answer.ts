import type { BaseResponse } from "../framework/request";
import { authDecision } from "../logger";

/**
 * The answer to a request over a limit, the same on every limited route: 429, Retry-After (seconds, exposed to a
 * frontend on another origin) and `{ message }`, as the other non-2xx answers outside the session recipe. The
 * frontend SDKs throw the raw response for any status >= 300. `what` names the limited action in the debug log.
 */
export function answerTooManyRequests(res: BaseResponse, retryAfterSeconds: number, what = "request"): void {
  authDecision(`rate limited: ${what} refused with 429, retry after ${retryAfterSeconds} s`);
  res.setStatus(429);
  res.setHeader("Retry-After", String(retryAfterSeconds));
  res.setHeader("Access-Control-Expose-Headers", "Retry-After", true);
  res.sendJSON({ message: "Too many requests" });
}
