import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import type { UserContext } from "../../lib/types";
import type { APIInterface, RecipeInterface } from "./types";

/**
 * ThirdPartyEmailPassword's own recipe: no routes and no tables (the emailpassword and thirdparty recipes it is
 * built with serve and keep those); it holds the combined, overridable implementation its public functions call.
 */
export class ThirdPartyEmailPasswordRecipe extends RecipeModule {
  static readonly RECIPE_ID = "thirdpartyemailpassword";
  readonly recipeId: string = ThirdPartyEmailPasswordRecipe.RECIPE_ID;

  /** Takes the final implementations the preset built over both inner recipes. */
  constructor(
    context: RecipeContext,
    readonly recipeInterfaceImpl: RecipeInterface,
    readonly apiImpl: APIInterface,
  ) {
    super(context);
  }

  /** The initialised recipe, or a clear error. */
  static getInstanceOrThrow(): ThirdPartyEmailPasswordRecipe {
    return Latchkey.getRecipeOrThrow(ThirdPartyEmailPasswordRecipe);
  }

  getAPIsHandled(): APIHandled[] {
    return [];
  }

  handleAPIRequest(_apiId: string, _req: BaseRequest, _res: BaseResponse, _userContext: UserContext): Promise<boolean> {
    return Promise.resolve(false);
  }
}
