// Every Latchkey route under /api/auth (sign-up, sign-in, refresh, sign-out, ...).
import "../../../../latchkey.config";
import { routeHandlers } from "../../../../../../lib/framework/nextjs";

export const { GET, POST, PUT, PATCH, DELETE } = routeHandlers();
