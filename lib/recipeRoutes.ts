import type { HTTPMethod } from "./framework/request";
import type { APIHandled } from "./recipeModule";
import type { UserContext } from "./types";

/** One route of a recipe: method, path under apiBasePath, the APIInterface function behind it, and its handler. */
export interface RecipeRoute<APIs, Options> {
  method: HTTPMethod;
  path: string;
  id: keyof APIs & string;
  handler: (api: APIs, options: Options, userContext: UserContext) => Promise<boolean>;
}

/** The routes as the core routes them; an API set to undefined by an override is disabled. */
export function apisHandled<APIs extends object, Options>(
  routes: readonly RecipeRoute<APIs, Options>[],
  api: APIs,
): APIHandled[] {
  return routes.map((r) => ({ method: r.method, path: r.path, id: r.id, disabled: api[r.id] === undefined }));
}

/** Runs the handler of the route with this API id; false when there is none. */
export function dispatchRoute<APIs, Options>(
  routes: readonly RecipeRoute<APIs, Options>[],
  apiId: string,
  api: APIs,
  options: Options,
  userContext: UserContext,
): Promise<boolean> {
  const route = routes.find((r) => r.id === apiId);
  return route === undefined ? Promise.resolve(false) : route.handler(api, options, userContext);
}
