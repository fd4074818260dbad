import type { BaseRequest } from "./framework/request";
import type { APIHandled, RecipeModule } from "./recipeModule";

/** A route matched to the recipe that serves it. */
export interface MatchedRoute {
  recipe: RecipeModule;
  api: APIHandled;
}

/**
 * Finds the recipe API for this request, or undefined. When several recipes serve the same method and path, the
 * `rid` header (which the frontend SDKs send) picks one; without a match the first in the recipe list serves it.
 */
export function findRoute(apiBasePath: string, recipes: readonly RecipeModule[], req: BaseRequest): MatchedRoute | undefined {
  const subPath = pathUnderBase(apiBasePath, req.getPath());
  if (subPath === undefined) return undefined;
  const method = req.getMethod();
  const candidates: MatchedRoute[] = [];
  for (const recipe of recipes) {
    for (const api of recipe.getAPIsHandled()) {
      if (api.method === method && api.path === subPath) candidates.push({ recipe, api });
    }
  }
  if (candidates.length === 0) return undefined;
  const rid = req.getHeader("rid");
  const chosen = candidates.find((c) => c.recipe.recipeId === rid) ?? candidates[0];
  return chosen === undefined || chosen.api.disabled ? undefined : chosen;
}

/** The part of `path` below `base` ("/x" or "/" form), or undefined when the path is not under it. */
export function pathUnderBase(base: string, path: string): string | undefined {
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  if (base === "") return trimmed === "" ? "/" : trimmed;
  if (trimmed === base) return "/";
  return trimmed.startsWith(`${base}/`) ? trimmed.slice(base.length) : undefined;
}
