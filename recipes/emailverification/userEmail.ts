import type { Capabilities } from "../../lib/capabilities";
import { LoginMethods } from "../../lib/seams";
import type { UserContext } from "../../lib/types";

/** The user's email: that of the first login method (in recipe-list order) that knows the user and has one. */
export async function emailForUser(
  capabilities: Capabilities,
  userId: string,
  userContext: UserContext,
): Promise<string | undefined> {
  for (const provider of capabilities.all(LoginMethods)) {
    const method = await provider.getLoginMethod({ userId, userContext });
    if (method?.email !== undefined) return method.email;
  }
  return undefined;
}
