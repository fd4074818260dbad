// express requests are node requests; the adapter lives in ../node so Fastify and Koa share it.
export {
  ExpressRequest,
  type ExpressLikeRequest,
  NodeRequest,
  type RequestTarget,
  splitRequestTarget,
} from "../node/request";
