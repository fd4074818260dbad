// A protected route handler: the session, or the 401 the frontend SDK refreshes on.
import "../../latchkey.config";
import { appendHeaders, errorToResponse } from "../../../../lib/framework/fetch";
import { getSessionForRequest } from "../../../../recipes/session/framework/nextjs";

export async function GET(request: Request): Promise<Response> {
  try {
    const { session, headers } = await getSessionForRequest(request);
    const response = Response.json({ userId: session?.getUserId() });
    appendHeaders(response.headers, headers);
    return response;
  } catch (err) {
    const answer = await errorToResponse(err, request);
    if (answer !== undefined) return answer;
    throw err;
  }
}
