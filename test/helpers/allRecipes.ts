import fs from "node:fs";
import path from "node:path";
import { resolveConnection } from "../../lib/db/connection";
import { Database } from "../../lib/db/database";
import { normaliseAppInfo } from "../../lib/appInfo";
import type { APIHandled, RecipeListFunction } from "../../lib/recipeModule";
import { APP_INFO } from "./app";

const RECIPES_DIR = path.join(__dirname, "..", "..", "recipes");

// How each shipped recipe is initialised when the suite needs "every recipe". A recipe folder missing here makes
// allRecipeInits() throw, so a recipe added later cannot be left out of the suites that use it without anyone noticing.
// Emails go nowhere (an override that does nothing) so the suites print no links.
const CONFIGS: Record<string, unknown> = {
  session: {},
  emailpassword: { bcryptCost: 4, emailDelivery: { override: (o: object) => ({ ...o, sendEmail: () => Promise.resolve() }) } },
  emailverification: { mode: "OPTIONAL", emailDelivery: { override: (o: object) => ({ ...o, sendEmail: () => Promise.resolve() }) } },
};

/** The recipe folders under recipes/, in a stable order (session first: the others depend on it). */
export function recipeFolders(): string[] {
  const names = fs.readdirSync(RECIPES_DIR).filter((n) => fs.existsSync(path.join(RECIPES_DIR, n, "index.ts")));
  return names.sort((a, b) => (a === "session" ? -1 : b === "session" ? 1 : a.localeCompare(b)));
}

/** `init(config)` of every recipe under recipes/; throws naming a recipe this helper has no config for. */
export function allRecipeInits(): RecipeListFunction[] {
  return recipeFolders().map((name) => {
    if (!(name in CONFIGS)) {
      throw new Error(`recipes/${name} has no test config: add one to CONFIGS in test/helpers/allRecipes.ts so the fuzz suite covers its routes`);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- recipes are found on disk, so loaded by name
    const mod = require(path.join(RECIPES_DIR, name, "index.ts")) as { default: { init(config: unknown): RecipeListFunction } };
    return mod.default.init(CONFIGS[name]);
  });
}

/** One route, with the id of the recipe that serves it. */
export interface RouteOfRecipe extends APIHandled {
  recipeId: string;
}

/**
 * Every route every recipe serves, read from the recipes themselves (getAPIsHandled) without initialising Latchkey,
 * so a test file can register one test per route when mocha loads it. No connection is opened.
 */
export function allRoutes(): RouteOfRecipe[] {
  const database = new Database(resolveConnection("sqlite::memory:"), "unused_");
  try {
    const appInfo = normaliseAppInfo(APP_INFO);
    return allRecipeInits().flatMap((build) => {
      const recipe = build({ appInfo, database });
      return recipe.getAPIsHandled().map((api) => ({ ...api, recipeId: recipe.recipeId }));
    });
  } finally {
    void database.close();
  }
}
