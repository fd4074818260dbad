import { badInput } from "../../../lib/error";
import { requestTenantId } from "../../../lib/tenant";
import type { UserContext } from "../../../lib/types";
import type { APIInterface, APIOptions } from "../types";

/** GET /loginmethods?clientType= : what the tenant's users can sign in with. */
export async function loginMethods(api: APIInterface, options: APIOptions, userContext: UserContext): Promise<boolean> {
  if (api.loginMethodsGET === undefined) return false;
  const clientType = options.req.getQuery("clientType");
  if (clientType !== undefined && (clientType.length > 64 || !/^[A-Za-z0-9_.-]*$/.test(clientType)))
    throw badInput("clientType must be at most 64 letters, digits, ., - or _");
  const tenantId = requestTenantId(userContext);
  const result = await api.loginMethodsGET({
    tenantId,
    clientType: clientType === "" ? undefined : clientType,
    options,
    userContext,
  });
  options.res.sendJSON(result);
  return true;
}
