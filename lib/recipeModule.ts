import type { Capabilities, Capability, Provision } from "./capabilities";
import type { Database } from "./db/database";
import type { RecipeMigration } from "./db/migrations";
import type { LatchkeyError } from "./error";
import type { BaseRequest, BaseResponse, HTTPMethod } from "./framework/request";
import type { NormalisedAppInfo, UserContext } from "./types";

/** One route a recipe serves, relative to `apiBasePath`. */
export interface APIHandled {
  method: HTTPMethod;
  /** Normalised path such as "/signin". */
  path: string;
  /** The APIInterface function behind the route. */
  id: string;
  /** True when the user's override set the API to undefined: the route falls through to `next()`. */
  disabled: boolean;
}

/** What a recipe's `init()` factory is given when `Latchkey.init()` builds it. */
export interface RecipeContext {
  appInfo: NormalisedAppInfo;
  database: Database;
  /** Asks for what other recipes provide; answers once the whole recipe list is built (ask lazily). */
  capabilities: Capabilities;
}

/**
 * What `Recipe.init(config)` returns: a builder that `Latchkey.init()` calls once. A preset (such as
 * ThirdPartyEmailPassword) builds several recipes at once.
 */
export type RecipeListFunction = (context: RecipeContext) => RecipeModule | RecipeModule[];

/** What every recipe implements so the core can route requests, handle errors and migrate its tables. */
export abstract class RecipeModule {
  /** Stable id, also the value of the `rid` header the frontend SDKs send. */
  abstract readonly recipeId: string;

  /** The id of the preset that built this recipe (ThirdPartyEmailPassword, say), so a duplicate listing names it. */
  partOf: string | undefined = undefined;

  /** Creates the recipe with the app's normalised info and database. */
  constructor(readonly context: RecipeContext) {}

  /** What this recipe offers other recipes, under typed keys (see lib/seams.ts). */
  provides(): Provision[] {
    return [];
  }

  /** Keys some recipe in the list must provide, or init fails naming what to add. */
  requires(): Capability<unknown>[] {
    return [];
  }

  /** The routes this recipe serves. */
  abstract getAPIsHandled(): APIHandled[];

  /** Serves one of its routes; false when it chose not to answer (the request falls through). */
  abstract handleAPIRequest(
    apiId: string,
    req: BaseRequest,
    res: BaseResponse,
    userContext: UserContext,
  ): Promise<boolean>;

  /** Turns one of its own errors into a response; false when the error is not one it answers. */
  handleError(_err: LatchkeyError, _req: BaseRequest, _res: BaseResponse, _userContext: UserContext): Promise<boolean> {
    return Promise.resolve(false);
  }

  /**
   * The first factors (FactorIds) a sign-in through this API could complete; [] for an API that signs no one in. The
   * core refuses the API, before it runs, in a tenant that enables none of them (multitenancy's `firstFactors`). The
   * request is there for a recipe whose factor depends on what is sent (Passwordless: an email or a phone number).
   */
  firstFactorsOf(_apiId: string, _req: BaseRequest): Promise<readonly string[]> {
    return Promise.resolve([]);
  }

  /** Request headers the browser must be allowed to send (CORS) for this recipe. */
  getAllCORSHeaders(): string[] {
    return [];
  }

  /** The versioned migrations of the tables this recipe owns, oldest first. */
  getMigrations(): RecipeMigration[] {
    return [];
  }
}
