// express responses are node responses; the adapter lives in ../node so a plain node:http server shares it.
export { ExpressResponse, NodeResponse } from "../node/response";
