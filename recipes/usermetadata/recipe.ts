import { provide, type Provision } from "../../lib/capabilities";
import type { RecipeMigration } from "../../lib/db/migrations";
import type { LatchkeyError } from "../../lib/error";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { MetadataAdministrations, UserDataOwners } from "../../lib/seams";
import { makeAPIImplementation } from "./api/implementation";
import { normaliseConfig } from "./config";
import { userMetadataMigrations } from "./migrations";
import { makeRecipeImplementation } from "./recipeImplementation";
import { makeUserMetadataStore, type UserMetadataStore } from "./store";
import type { APIInterface, RecipeInterface, TypeInput, TypeNormalisedInput } from "./types";
import type { JSONObject } from "../../lib/types";

/** The usermetadata recipe instance: a JSON object per user, removed by `Latchkey.deleteUser`. */
export class UserMetadataRecipe extends RecipeModule {
  static readonly RECIPE_ID = "usermetadata";
  readonly recipeId = UserMetadataRecipe.RECIPE_ID;
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  private readonly store: UserMetadataStore;

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(input);
    this.store = makeUserMetadataStore(context.database);
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "UserMetadata.init.override.functions",
      () => makeRecipeImplementation(this.store, this.config),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>(
      "UserMetadata.init.override.apis",
      () => makeAPIImplementation(),
      input?.override?.apis,
      { allowDisabled: true },
    );
  }

  /** The initialised usermetadata recipe, or a clear error. */
  static getInstanceOrThrow(): UserMetadataRecipe {
    return Latchkey.getRecipeOrThrow(UserMetadataRecipe);
  }

  override provides(): Provision[] {
    const impl = this.recipeInterfaceImpl;
    return [
      provide(UserDataOwners, { deleteUserData: ({ userId, trx }) => this.store.deleteUserData(trx, userId) }),
      // Through the (overridable) functions. A replacement is one merge that also deletes (null) every key the new
      // object lacks: a refused update (too large) leaves the old metadata whole.
      provide(MetadataAdministrations, {
        getMetadata: async (input) => (await impl.getUserMetadata(input)).metadata,
        setMetadata: async ({ userId, metadata, userContext }) => {
          const old = (await impl.getUserMetadata({ userId, userContext })).metadata;
          const metadataUpdate: JSONObject = {
            ...Object.fromEntries(Object.keys(old).map((k) => [k, null])),
            ...metadata,
          };
          return (await impl.updateUserMetadata({ userId, metadataUpdate, userContext })).metadata;
        },
      }),
    ];
  }

  getAPIsHandled(): APIHandled[] {
    return [];
  }

  handleAPIRequest(): Promise<boolean> {
    return Promise.resolve(false);
  }

  // Raised in an app's own route (updateUserMetadata with a user's input): a 400 with the stable status, not a 500.
  override handleError(err: LatchkeyError, _req: BaseRequest, res: BaseResponse): Promise<boolean> {
    if (err.fromRecipe !== this.recipeId || err.type !== "METADATA_TOO_LARGE_ERROR") return Promise.resolve(false);
    res.setStatus(400);
    res.sendJSON({ status: "METADATA_TOO_LARGE_ERROR", message: err.message });
    return Promise.resolve(true);
  }

  override getMigrations(): RecipeMigration[] {
    return userMetadataMigrations;
  }
}
