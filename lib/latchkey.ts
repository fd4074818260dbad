import { normaliseAppInfo } from "./appInfo";
import { CapabilityRegistry } from "./capabilities";
import { resolveConnection } from "./db/connection";
import { Database, normaliseTablePrefix } from "./db/database";
import { configError, LatchkeyError } from "./error";
import type { BaseRequest, BaseResponse } from "./framework/request";
import type { RecipeListFunction, RecipeModule } from "./recipeModule";
import { configureLogging, type LoggingConfig, logServerError, normaliseLogging, resetLogging } from "./logger";
import { findRoute } from "./router";
import { resolveTenant } from "./tenantRouting";
import { setRequestTenantId } from "./tenant";
import { UserDataOwners } from "./seams";
import type { NormalisedAppInfo, TypeInput, UserContext } from "./types";
import { countUsers, type GetUsersInput, listUsers, type UsersPage } from "./userListing";
import { findUser, type User } from "./users";
import { assertKnownKeys, assertPlainObject } from "./validate";

const TOP_LEVEL_KEYS = ["appInfo", "database", "readReplica", "tablePrefix", "recipeList", "logger", "debug"];
// Headers the frontend SDKs send on every request, whatever the recipes.
const CORE_CORS_HEADERS = ["rid", "fdi-version"];

/** A class of recipe, as the core looks one up: it must carry its id. */
export type RecipeClass<T extends RecipeModule> = (abstract new (...args: never[]) => T) & {
  readonly RECIPE_ID: string;
};

/** The initialised framework: normalised config, the recipes, the database, and request routing. */
export class Latchkey {
  private static instance: Latchkey | undefined;

  readonly appInfo: NormalisedAppInfo;
  readonly database: Database;
  readonly recipes: readonly RecipeModule[];
  readonly capabilities = new CapabilityRegistry();
  private readonly logging: LoggingConfig;

  private constructor(config: TypeInput) {
    assertPlainObject("config", config);
    assertKnownKeys("config", config as unknown as Record<string, unknown>, TOP_LEVEL_KEYS);
    this.appInfo = normaliseAppInfo(config.appInfo);
    this.logging = normaliseLogging(config.logger, config.debug);
    const tablePrefix = normaliseTablePrefix(config.tablePrefix);
    if (!Array.isArray(config.recipeList) || config.recipeList.length === 0) {
      throw configError("recipeList", "must be a non-empty array of Recipe.init(...) results");
    }
    // Array.from visits the holes of a sparse list ([a, , b]) that forEach and map would skip.
    const builders = Array.from(config.recipeList as unknown[]);
    builders.forEach((build, i) => {
      if (typeof build !== "function") throw configError(`recipeList[${i}]`, "must be the result of a recipe's init()");
    });
    // Resolve the database last: everything above fails without opening a connection pool.
    const primary = resolveConnection(config.database);
    let replica: ReturnType<typeof resolveConnection> | undefined;
    try {
      replica = config.readReplica === undefined ? undefined : resolveConnection(config.readReplica);
      const kind = (c: { description: string }) => c.description.split(" ")[0];
      if (replica !== undefined && kind(replica) !== kind(primary)) {
        throw configError(
          "readReplica",
          `must be the same kind of database as database (${kind(primary)}), not ${kind(replica)}`,
        );
      }
    } catch (err) {
      void (primary.owned ? primary.knex.destroy() : undefined);
      void (replica?.owned === true ? replica.knex.destroy() : undefined);
      throw err;
    }
    this.database = new Database(primary, tablePrefix, replica);
    try {
      const context = { appInfo: this.appInfo, database: this.database, capabilities: this.capabilities };
      this.recipes = (builders as RecipeListFunction[]).flatMap((build, i) => {
        const built: unknown = build(context);
        return Array.isArray(built) ? built.map((b: unknown) => asRecipe(b, i)) : [asRecipe(built, i)];
      });
      checkRecipeList(this.recipes);
      this.capabilities.seal(this.recipes.flatMap((recipe) => recipe.provides()));
      checkRequirements(this.recipes, this.capabilities);
    } catch (err) {
      void this.database.close();
      throw err;
    }
    this.database.setMigrations(this.recipes.flatMap((recipe) => recipe.getMigrations()));
  }

  /** Builds the singleton from the user's config; throws INVALID_CONFIG naming the field on bad config. */
  static init(config: TypeInput): void {
    if (Latchkey.instance !== undefined) {
      throw new LatchkeyError("INVALID_CONFIG", "Latchkey.init() was already called; call it once per process");
    }
    Latchkey.instance = new Latchkey(config);
    configureLogging(Latchkey.instance.logging);
  }

  /** The singleton, or a NOT_INITIALISED error that says what to do. */
  static getInstanceOrThrow(): Latchkey {
    if (Latchkey.instance === undefined) {
      throw new LatchkeyError("NOT_INITIALISED", "Latchkey.init() must be called before any other Latchkey function");
    }
    return Latchkey.instance;
  }

  /** The singleton, or undefined before init (for code that must not fail then, such as an error handler). */
  static instanceIfInitialised(): Latchkey | undefined {
    return Latchkey.instance;
  }

  /** Forgets the singleton and closes the pool Latchkey opened. For tests only. */
  static async reset(): Promise<void> {
    const instance = Latchkey.instance;
    Latchkey.instance = undefined;
    resetLogging();
    if (instance !== undefined) await instance.database.close();
  }

  /** The initialised recipe of the given class, or a clear error if it is not in the recipe list. */
  static getRecipeOrThrow<T extends RecipeModule>(recipeClass: RecipeClass<T>): T {
    const recipe = Latchkey.getInstanceOrThrow().recipes.find((r) => r.recipeId === recipeClass.RECIPE_ID);
    if (recipe === undefined) {
      throw new LatchkeyError(
        "NOT_INITIALISED",
        `The ${recipeClass.RECIPE_ID} recipe is not initialised: add its init() to recipeList in Latchkey.init()`,
      );
    }
    return recipe as T;
  }

  /** Serves the request if it is one of the recipes' routes; false when it is not (the caller moves on). */
  async handleRequest(req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    const route = findRoute(this.appInfo.apiBasePath, this.recipes, req);
    if (route === undefined) return false;
    try {
      const tenantId = await resolveTenant(this.capabilities, route, req, res, userContext);
      if (tenantId === undefined) return false;
      setRequestTenantId(userContext, tenantId);
      return await route.recipe.handleAPIRequest(route.api.id, req, res, userContext);
    } catch (err) {
      if (LatchkeyError.isErrorFromAuth(err) && (await this.handleError(err, req, res, userContext))) return true;
      throw err;
    }
  }

  /** Answers a LatchkeyError with the owning recipe's response, else the core's; false when none applies. */
  async handleError(
    err: LatchkeyError,
    req: BaseRequest,
    res: BaseResponse,
    userContext: UserContext,
  ): Promise<boolean> {
    const owner = this.recipes.find((r) => r.recipeId === err.fromRecipe);
    const ordered = owner === undefined ? this.recipes : [owner, ...this.recipes.filter((r) => r !== owner)];
    for (const recipe of ordered) {
      if (await recipe.handleError(err, req, res, userContext)) return true;
    }
    if (err.type === "BAD_INPUT_ERROR") {
      res.setStatus(400);
      res.sendJSON({ message: err.message });
      return true;
    }
    if (err.type === "GENERAL_ERROR") {
      // The client needs only to know it was not its fault; the operator reads the cause in the log (the message
      // names the database and the driver's code, never a secret), once per burst.
      logServerError(err.message, `500 on ${req.getMethod().toUpperCase()} ${req.getPath()}`);
      res.setStatus(500);
      res.sendJSON({ status: "GENERAL_ERROR", message: "Internal error" });
      return true;
    }
    return false;
  }

  /** Every request header the browser must be allowed to send to the API. */
  getAllCORSHeaders(): string[] {
    return [...new Set([...CORE_CORS_HEADERS, ...this.recipes.flatMap((r) => r.getAllCORSHeaders())])];
  }

  /** The user with this id, from the login method recipes that know them. */
  getUser(userId: string, userContext: UserContext): Promise<User | undefined> {
    return findUser(this.capabilities, userId, userContext);
  }

  /** One page of users in join order (see lib/userListing.ts). */
  getUsers(order: "asc" | "desc", input: GetUsersInput): Promise<UsersPage> {
    return listUsers(this.capabilities, order, input);
  }

  /** How many users the login method recipes have. */
  getUserCount(
    includeRecipeIds: string[] | undefined,
    tenantId: string | undefined,
    userContext: UserContext,
  ): Promise<number> {
    return countUsers(this.capabilities, includeRecipeIds, tenantId, userContext);
  }

  /** Deletes everything every recipe keeps about the user, in one transaction. */
  async deleteUser(userId: string, userContext: UserContext): Promise<void> {
    const owners = this.capabilities.all(UserDataOwners);
    await this.database.transaction(async (trx) => {
      for (const owner of owners) await owner.deleteUserData({ userId, trx, userContext });
    });
  }
}

// Listing `Session.init` instead of `Session.init()` is an easy slip: its "recipe" is then another builder.
function asRecipe(built: unknown, index: number): RecipeModule {
  const r = built as Partial<RecipeModule> | null;
  if (typeof r === "object" && r !== null && typeof r.recipeId === "string" && typeof r.getAPIsHandled === "function") {
    return r as RecipeModule;
  }
  throw configError(
    `recipeList[${index}]`,
    typeof built === "function"
      ? "is a recipe's init itself: call it, e.g. Session.init() or Session.init({ ... })"
      : "did not build a recipe: list the result of a recipe's init()",
  );
}

function checkRequirements(recipes: readonly RecipeModule[], capabilities: CapabilityRegistry): void {
  for (const recipe of recipes) {
    for (const key of recipe.requires()) {
      if (capabilities.all(key).length === 0)
        throw configError("recipeList", `the ${recipe.recipeId} recipe needs ${key.needs}`);
    }
  }
}

function checkRecipeList(recipes: readonly RecipeModule[]): void {
  const byId = new Map<string, RecipeModule>();
  for (const recipe of recipes) {
    const earlier = byId.get(recipe.recipeId);
    if (earlier !== undefined) {
      // A preset builds its recipes itself: listing one of them beside it serves every route twice.
      const preset = earlier.partOf ?? recipe.partOf;
      if (preset !== undefined)
        throw configError(
          "recipeList",
          `the ${preset} recipe already includes ${recipe.recipeId}: list only one of them`,
        );
      throw configError("recipeList", `the ${recipe.recipeId} recipe is listed twice; list each recipe once`);
    }
    byId.set(recipe.recipeId, recipe);
  }
}
