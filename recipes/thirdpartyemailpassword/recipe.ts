import type { Knex } from "knex";
import type { RecipeMigration } from "../../lib/db/migrations";
import type { LatchkeyError } from "../../lib/error";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import type { User as CoreUser, UserContext } from "../../lib/types";
import { assertKnownKeys, assertPlainObject } from "../../lib/validate";
import { EMAIL_PASSWORD_KEYS, EmailPasswordRecipe } from "../emailpassword/index";
import type { TypeNormalisedInput as EmailPasswordConfig } from "../emailpassword/types";
import { ThirdPartyRecipe } from "../thirdparty/index";
import type { TypeNormalisedInput as ThirdPartyConfig } from "../thirdparty/types";
import { makeAPIImplementation } from "./api/implementation";
import { makeRecipeImplementation } from "./recipeImplementation";
import type { APIInterface, RecipeInterface, TypeInput } from "./types";
import { emailPasswordAPIView, emailPasswordView, thirdPartyAPIView, thirdPartyView } from "./views";

const LABEL = "ThirdPartyEmailPassword.init";

/**
 * Email/password and third-party login as one recipe: the emailpassword and thirdparty recipes serve the routes,
 * with every function and API answered by this recipe's (overridable) implementation.
 */
export class ThirdPartyEmailPasswordRecipe extends RecipeModule {
  static readonly RECIPE_ID = "thirdpartyemailpassword";
  readonly recipeId = ThirdPartyEmailPasswordRecipe.RECIPE_ID;
  override readonly dependsOn = ["session"];
  override readonly includes = ["emailpassword", "thirdparty"];
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  private readonly emailPassword: EmailPasswordRecipe;
  private readonly thirdParty: ThirdPartyRecipe;

  /** Validates the config (both methods' options) and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    const raw: unknown = input ?? {};
    assertPlainObject(LABEL, raw);
    assertKnownKeys(LABEL, raw, [...EMAIL_PASSWORD_KEYS, "providers"]);
    const { providers, override, sessionFeature, ...emailPasswordOptions } = raw as TypeInput;
    let emailPasswordConfig: EmailPasswordConfig | undefined;
    let thirdPartyConfig: ThirdPartyConfig | undefined;
    this.emailPassword = new EmailPasswordRecipe(context, { ...emailPasswordOptions, sessionFeature }, {
      label: LABEL,
      build: (config) => {
        emailPasswordConfig = config;
        return { recipeInterfaceImpl: emailPasswordView(() => this.recipeInterfaceImpl), apiImpl: emailPasswordAPIView(() => this.apiImpl) };
      },
    });
    this.thirdParty = new ThirdPartyRecipe(context, { signInAndUpFeature: providers === undefined ? {} as { providers: [] } : { providers }, sessionFeature }, {
      label: LABEL,
      build: (config) => {
        thirdPartyConfig = config;
        return { recipeInterfaceImpl: thirdPartyView(() => this.recipeInterfaceImpl), apiImpl: thirdPartyAPIView(() => this.apiImpl) };
      },
    });
    const configs = { emailPassword: emailPasswordConfig as EmailPasswordConfig, thirdParty: thirdPartyConfig as ThirdPartyConfig };
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      `${LABEL}.override.functions`,
      (self) => makeRecipeImplementation(context.database, configs.emailPassword, configs.thirdParty, self),
      override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>(`${LABEL}.override.apis`, () => makeAPIImplementation(), override?.apis, { allowDisabled: true });
  }

  /** The initialised recipe, or a clear error. */
  static getInstanceOrThrow(): ThirdPartyEmailPasswordRecipe {
    return Latchkey.getRecipeOrThrow(ThirdPartyEmailPasswordRecipe);
  }

  getAPIsHandled(): APIHandled[] {
    // Without providers only /loginmethods of the third-party routes is served (it says email/password only).
    const thirdParty = this.thirdParty.getAPIsHandled().filter((api) => this.thirdParty.config.providers.length > 0 || api.id === "loginMethodsGET");
    return [...this.emailPassword.getAPIsHandled(), ...thirdParty];
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    const owner = this.emailPassword.getAPIsHandled().some((api) => api.id === apiId) ? this.emailPassword : this.thirdParty;
    return owner.handleAPIRequest(apiId, req, res, userContext);
  }

  override handleError(err: LatchkeyError, req: BaseRequest, res: BaseResponse): Promise<boolean> {
    return this.thirdParty.handleError(err, req, res);
  }

  override getMigrations(): RecipeMigration[] {
    return [...this.emailPassword.getMigrations(), ...this.thirdParty.getMigrations()];
  }

  override async getUserById(userId: string, userContext: UserContext): Promise<CoreUser | undefined> {
    const user = await this.recipeInterfaceImpl.getUserById({ userId, userContext });
    if (user === undefined) return undefined;
    return { id: user.id, recipeId: this.recipeId, timeJoined: user.timeJoined, email: user.email, ...(user.thirdParty === undefined ? {} : { thirdParty: user.thirdParty }) };
  }

  override async deleteUserData(userId: string, trx: Knex.Transaction): Promise<void> {
    await this.emailPassword.deleteUserData(userId, trx);
    await this.thirdParty.deleteUserData(userId, trx);
  }
}
