import type { Knex } from "knex";
import type { RecipeMigration } from "../../lib/db/migrations";
import type { LatchkeyError } from "../../lib/error";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import type { User, UserContext } from "../../lib/types";
import * as handlers from "./api/handlers";
import { makeAPIImplementation } from "./api/implementation";
import { normaliseConfig } from "./config";
import { thirdPartyMigrations } from "./migrations";
import { providerErrorAnswer } from "./providers/errors";
import { makeRecipeImplementation } from "./recipeImplementation";
import type { APIInterface, APIOptions, RecipeInterface, TypeInput, TypeNormalisedInput } from "./types";

/** The thirdparty routes; ThirdPartyEmailPassword serves the same ones. */
export const THIRD_PARTY_ROUTES: RecipeRoute<APIInterface, APIOptions>[] = [
  { method: "get", path: "/authorisationurl", id: "authorisationUrlGET", handler: handlers.authorisationUrl },
  { method: "post", path: "/signinup", id: "signInUpPOST", handler: handlers.signInUp },
  { method: "get", path: "/loginmethods", id: "loginMethodsGET", handler: handlers.loginMethods },
];

/** Implementations a composing recipe (ThirdPartyEmailPassword) hands in instead of building its own. */
export interface ThirdPartyParts {
  recipeInterfaceImpl: RecipeInterface;
  apiImpl: APIInterface;
}

/** The thirdparty recipe instance: config, implementations, routes, tables. */
export class ThirdPartyRecipe extends RecipeModule {
  static readonly RECIPE_ID = "thirdparty";
  readonly recipeId: string = ThirdPartyRecipe.RECIPE_ID;
  override readonly dependsOn = ["session"];
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  private emailPasswordEnabled: boolean | undefined;

  /** Validates the config and builds the (overridden) implementations, or takes a composing recipe's. */
  constructor(context: RecipeContext, input: TypeInput | undefined, parts?: { label: string; build: (config: TypeNormalisedInput) => ThirdPartyParts }) {
    super(context);
    this.config = normaliseConfig(input, parts?.label);
    const given = parts?.build(this.config);
    this.recipeInterfaceImpl = given?.recipeInterfaceImpl ?? buildImplementation<RecipeInterface>(
      "ThirdParty.init.override.functions",
      () => makeRecipeImplementation(context.database, this.config),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = given?.apiImpl ?? buildImplementation<APIInterface>("ThirdParty.init.override.apis", () => makeAPIImplementation(), input?.override?.apis, {
      allowDisabled: true,
    });
  }

  /** The initialised thirdparty recipe, or a clear error. */
  static getInstanceOrThrow(): ThirdPartyRecipe {
    return Latchkey.getRecipeOrThrow(ThirdPartyRecipe);
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(THIRD_PARTY_ROUTES, this.apiImpl);
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    // The recipe list is fixed once init has run, so it is looked through once.
    this.emailPasswordEnabled ??= Latchkey.getInstanceOrThrow().recipes.some((r) => r.recipeId === "emailpassword" || r.recipeId === "thirdpartyemailpassword");
    const options: APIOptions = { recipeImplementation: this.recipeInterfaceImpl, config: this.config, emailPasswordEnabled: this.emailPasswordEnabled, req, res };
    return dispatchRoute(THIRD_PARTY_ROUTES, apiId, this.apiImpl, options, userContext);
  }

  override handleError(err: LatchkeyError, _req: BaseRequest, res: BaseResponse): Promise<boolean> {
    const answer = providerErrorAnswer(err);
    if (answer === undefined) return Promise.resolve(false);
    res.sendJSON(answer);
    return Promise.resolve(true);
  }

  override getMigrations(): RecipeMigration[] {
    return thirdPartyMigrations;
  }

  override async getUserById(userId: string, userContext: UserContext): Promise<User | undefined> {
    const user = await this.recipeInterfaceImpl.getUserById({ userId, userContext });
    return user === undefined ? undefined : { id: user.id, recipeId: this.recipeId, timeJoined: user.timeJoined, email: user.email, thirdParty: user.thirdParty };
  }

  override async deleteUserData(userId: string, trx: Knex.Transaction): Promise<void> {
    await trx(this.context.database.table("thirdparty_users")).where({ user_id: userId }).del();
  }
}
