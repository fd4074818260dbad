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
 */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => new DashboardRecipe(context, config);
}

const Dashboard = { init, Error: DashboardError };

export default Dashboard;
