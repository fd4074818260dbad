// For a server component: the signed-in user's id from the request being rendered (next/headers), or null.
import "../../latchkey.config";
import { getSession } from "../../../../recipes/session/framework/nextjs";

/** The user id of the request being rendered, or null without a session. */
export async function currentUserId(): Promise<string | null> {
  const { session } = await getSession({ sessionRequired: false });
  return session?.getUserId() ?? null;
}
