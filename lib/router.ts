import type { BaseRequest } from "./framework/request";
import type { APIHandled, RecipeModule } from "./recipeModule";
import { TENANT_PATH_SEGMENT } from "./tenant";

/** A route matched to the recipe that serves it. */
export interface MatchedRoute {
  recipe: RecipeModule;
  api: APIHandled;
  /** The tenant segment the path started with (`{apiBasePath}/<tenantId>/signin`); undefined for a plain path. */
  tenantIdFromPath: string | undefined;
}

/**
 * Finds the recipe API for this request, or undefined. The path is matched as it is first; failing that, a first
 * segment that can be a tenant id (SuperTokens' pattern) is taken as the tenant and the rest matched (FDI 3.x puts
 * one before every route). When several recipes serve the same method and path, the `rid` header (which the frontend
 * SDKs send) picks one; without a match the first in the recipe list whose route is not disabled serves it.
 */
export function findRoute(
  apiBasePath: string,
  recipes: readonly RecipeModule[],
  req: BaseRequest,
): MatchedRoute | undefined {
  const subPath = pathUnderBase(apiBasePath, req.getPath());
  if (subPath === undefined) return undefined;
  const exact = matchPath(recipes, req, subPath);
  if (exact !== undefined) return { ...exact, tenantIdFromPath: undefined };
  const split = /^\/([^/]+)(\/.+)$/.exec(subPath);
  if (split === null || !TENANT_PATH_SEGMENT.test(split[1] as string)) return undefined;
  const rest = matchPath(recipes, req, split[2] as string);
  return rest === undefined ? undefined : { ...rest, tenantIdFromPath: split[1] };
}

function matchPath(
  recipes: readonly RecipeModule[],
  req: BaseRequest,
  subPath: string,
): { recipe: RecipeModule; api: APIHandled } | undefined {
  const method = req.getMethod();
  const candidates: { recipe: RecipeModule; api: APIHandled }[] = [];
  for (const recipe of recipes) {
    for (const api of recipe.getAPIsHandled()) {
      if (api.method === method && api.path === subPath) candidates.push({ recipe, api });
    }
  }
  const rid = req.getHeader("rid");
  const named = candidates.find((c) => c.recipe.recipeId === rid);
  // A recipe the client named keeps its disabled route disabled (no other recipe answers for it); otherwise a
  // recipe whose override disabled the route leaves it to the next recipe that serves it.
  if (named !== undefined) return named.api.disabled ? undefined : named;
  return candidates.find((c) => !c.api.disabled);
}

/** The part of `path` below `base` ("/x" or "/" form), or undefined when the path is not under it. */
export function pathUnderBase(base: string, path: string): string | undefined {
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  if (base === "") return trimmed === "" ? "/" : trimmed;
  if (trimmed === base) return "/";
  return trimmed.startsWith(`${base}/`) ? trimmed.slice(base.length) : undefined;
}
