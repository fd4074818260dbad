import type { RecipeMigration } from "../../lib/db/migrations";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import type { UserContext } from "../../lib/types";
import * as handlers from "./api/handlers";
import { makeAPIImplementation } from "./api/implementation";
import { normaliseConfig } from "./config";
import { dashboardMigrations } from "./migrations";
import { serveFile } from "./page";
import { makeRecipeImplementation } from "./recipeImplementation";
import { makeDashboardStore } from "./store";
import type { APIInterface, APIOptions, RecipeInterface, TypeInput, TypeNormalisedInput } from "./types";

// The page's static files follow the page: taking pageGET away takes them away too.
const asset =
  (which: "script" | "styles"): handlers.Handler =>
  (api, options) => {
    if (api.pageGET === undefined) return Promise.resolve(false);
    serveFile(options.res, which);
    return Promise.resolve(true);
  };

const API = "/dashboard/api";
const ROUTES: RecipeRoute<APIInterface, APIOptions>[] = [
  { method: "get", path: "/dashboard", id: "pageGET", handler: handlers.page },
  { method: "get", path: "/dashboard/assets/app.js", id: "pageGET", handler: asset("script") },
  { method: "get", path: "/dashboard/assets/app.css", id: "pageGET", handler: asset("styles") },
  { method: "get", path: `${API}/info`, id: "infoGET", handler: handlers.info },
  { method: "get", path: `${API}/users`, id: "usersGET", handler: handlers.users },
  { method: "get", path: `${API}/users/count`, id: "userCountGET", handler: handlers.userCount },
  { method: "get", path: `${API}/user`, id: "userGET", handler: handlers.user },
  {
    method: "post",
    path: `${API}/user/email/verified`,
    id: "userEmailVerifiedPOST",
    handler: handlers.userEmailVerified,
  },
  {
    method: "post",
    path: `${API}/user/session/revoke`,
    id: "userSessionRevokePOST",
    handler: handlers.userSessionRevoke,
  },
  { method: "post", path: `${API}/user/role/add`, id: "userRoleAddPOST", handler: handlers.userRoleAdd },
  { method: "post", path: `${API}/user/role/remove`, id: "userRoleRemovePOST", handler: handlers.userRoleRemove },
  { method: "post", path: `${API}/user/metadata`, id: "userMetadataPOST", handler: handlers.userMetadata },
  { method: "post", path: `${API}/user/delete`, id: "userDeletePOST", handler: handlers.userDelete },
  { method: "get", path: `${API}/roles`, id: "rolesGET", handler: handlers.roles },
  { method: "post", path: `${API}/role/create`, id: "roleCreatePOST", handler: handlers.roleCreate },
  { method: "post", path: `${API}/role/delete`, id: "roleDeletePOST", handler: handlers.roleDelete },
  { method: "get", path: `${API}/audit`, id: "auditGET", handler: handlers.audit },
];

/** The dashboard recipe instance: an admin page and its JSON API, every change in an audit log. */
export class DashboardRecipe extends RecipeModule {
  static readonly RECIPE_ID = "dashboard";
  readonly recipeId = DashboardRecipe.RECIPE_ID;
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;

  /** Validates the config (keys kept as digests) and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(input);
    const store = makeDashboardStore(context.database);
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "Dashboard.init.override.functions",
      () => makeRecipeImplementation(store, this.config),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>(
      "Dashboard.init.override.apis",
      () => makeAPIImplementation(context.capabilities),
      input?.override?.apis,
      { allowDisabled: true },
    );
  }

  /** The initialised dashboard recipe, or a clear error. */
  static getInstanceOrThrow(): DashboardRecipe {
    return Latchkey.getRecipeOrThrow(DashboardRecipe);
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(ROUTES, this.apiImpl);
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    const options: APIOptions = {
      recipeImplementation: this.recipeInterfaceImpl,
      config: this.config,
      apiBasePath: this.context.appInfo.apiBasePath,
      req,
      res,
    };
    const route = ROUTES.find((r) => r.id === apiId && r.method === req.getMethod() && matches(r.path, req.getPath()));
    return route === undefined
      ? dispatchRoute(ROUTES, apiId, this.apiImpl, options, userContext)
      : route.handler(this.apiImpl, options, userContext);
  }

  override getMigrations(): RecipeMigration[] {
    return dashboardMigrations;
  }
}

// Three routes share the page's API id; the request's path picks the handler.
function matches(routePath: string, requestPath: string): boolean {
  const trimmed = requestPath.length > 1 && requestPath.endsWith("/") ? requestPath.slice(0, -1) : requestPath;
  return trimmed.endsWith(routePath);
}
