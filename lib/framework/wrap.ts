import type { ServerResponse } from "node:http";
import { type ExpressLikeRequest, ExpressRequest } from "./express/request";
import { ExpressResponse } from "./express/response";
import type { BaseRequest, BaseResponse } from "./request";

/** Accepts a BaseRequest or a framework request (express or plain node) and returns a BaseRequest. */
export function toBaseRequest(req: BaseRequest | ExpressLikeRequest): BaseRequest {
  return typeof (req as BaseRequest).getJSONBody === "function"
    ? (req as BaseRequest)
    : new ExpressRequest(req as ExpressLikeRequest);
}

/** Accepts a BaseResponse or a framework response (express or plain node) and returns a BaseResponse. */
export function toBaseResponse(res: BaseResponse | ServerResponse): BaseResponse {
  return typeof (res as BaseResponse).sendJSON === "function"
    ? (res as BaseResponse)
    : new ExpressResponse(res as ServerResponse);
}
