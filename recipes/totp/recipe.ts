import type { Capability, Provision } from "../../lib/capabilities";
import { provide } from "../../lib/capabilities";
import type { RecipeMigration } from "../../lib/db/migrations";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import {
  FactorIds,
  LoginMethods,
  MultiFactorAuthServices,
  SecondFactors,
  SessionInventories,
  Sessions,
  UserDataOwners,
} from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import * as handlers from "./api/handlers";
import { makeAPIImplementation } from "./api/implementation";
import { normaliseConfig } from "./config";
import { totpMigrations } from "./migrations";
import { makeRecipeImplementation } from "./recipeImplementation";
import { makeTOTPStore, type TOTPStore } from "./store";
import type { APIInterface, APIOptions, RecipeInterface, TypeInput, TypeNormalisedInput } from "./types";

const ROUTES: RecipeRoute<APIInterface, APIOptions>[] = [
  { method: "post", path: "/totp/device", id: "createDevicePOST", handler: handlers.createDevice },
  { method: "get", path: "/totp/device/list", id: "listDevicesGET", handler: handlers.listDevices },
  { method: "post", path: "/totp/device/remove", id: "removeDevicePOST", handler: handlers.removeDevice },
  { method: "post", path: "/totp/device/verify", id: "verifyDevicePOST", handler: handlers.verifyDevice },
  { method: "post", path: "/totp/verify", id: "verifyTOTPPOST", handler: handlers.verifyTOTP },
];

/** The TOTP recipe instance: authenticator-app codes as a second factor. */
export class TOTPRecipe extends RecipeModule {
  static readonly RECIPE_ID = "totp";
  readonly recipeId = TOTPRecipe.RECIPE_ID;
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  private readonly store: TOTPStore;

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(input, context.appInfo.appName);
    this.store = makeTOTPStore(context.database);
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "TOTP.init.override.functions",
      (self) => makeRecipeImplementation(this.store, this.config, () => context.capabilities.all(LoginMethods), self),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>(
      "TOTP.init.override.apis",
      () => makeAPIImplementation(),
      input?.override?.apis,
      { allowDisabled: true },
    );
  }

  /** The initialised TOTP recipe, or a clear error. */
  static getInstanceOrThrow(): TOTPRecipe {
    return Latchkey.getRecipeOrThrow(TOTPRecipe);
  }

  override requires(): Capability<unknown>[] {
    return [Sessions];
  }

  override provides(): Provision[] {
    return [
      provide(SecondFactors, {
        factorIds: [FactorIds.TOTP],
        // Set up means a verified device: an unverified one never proved the user holds the secret.
        getFactorsSetUpForUser: async ({ userId, userContext }) => {
          const { devices } = await this.recipeInterfaceImpl.listDevices({ userId, userContext });
          return devices.some((d) => d.verified) ? [FactorIds.TOTP] : [];
        },
      }),
      provide(UserDataOwners, { deleteUserData: ({ userId, trx }) => this.store.deleteUserData(trx, userId) }),
    ];
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(ROUTES, this.apiImpl);
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    const { capabilities } = this.context;
    const options: APIOptions = {
      recipeImplementation: this.recipeInterfaceImpl,
      config: this.config,
      // Asked at request time: the capability registry answers only once every recipe of the list is built.
      sessions: capabilities.required(Sessions),
      mfa: capabilities.optional(MultiFactorAuthServices),
      sessionInventory: capabilities.optional(SessionInventories),
      req,
      res,
    };
    return dispatchRoute(ROUTES, apiId, this.apiImpl, options, userContext);
  }

  override getMigrations(): RecipeMigration[] {
    return totpMigrations;
  }
}
