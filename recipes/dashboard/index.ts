import type { RecipeListFunction } from "../../lib/recipeModule";
import { DashboardError } from "./error";
import { DashboardRecipe } from "./recipe";
import type { TypeInput } from "./types";

export { DashboardError as Error };
export type { DashboardErrorPayloads, DashboardErrorType } from "./error";
export type {
  Access,
  APIInput,
  APIInterface,
  APIOptions,
  AuditEntry,
  DashboardAnswer,
  RecipeInterface,
  TypeInput,
} from "./types";

/**
 * Adds the dashboard to `Latchkey.init`'s recipe list: a page at `{apiBasePath}/dashboard` and its JSON API under
 * `{apiBasePath}/dashboard/api/...`, for the holder of `apiKey` (everything) or `readOnlyApiKey` (reading only).
 *
 * @example
 * ```ts
 * Latchkey.init({ appInfo, recipeList: [EmailPassword.init(), Session.init(), UserRoles.init(),
 *   Dashboard.init({ apiKey: process.env.DASHBOARD_API_KEY, readOnlyApiKey: process.env.DASHBOARD_READ_KEY })] });
 * // Then open http://localhost:3001/auth/dashboard and enter a key (at least 16 characters).
 * ```
 */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => new DashboardRecipe(context, config);
}

const Dashboard = { init, Error: DashboardError };

export default Dashboard;
