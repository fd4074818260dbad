import type { Knex } from "knex";
import type { RecipeMigration } from "../../lib/db/migrations";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import type { User, UserContext } from "../../lib/types";
import * as handlers from "./api/handlers";
import { makeAPIImplementation } from "./api/implementation";
import { normaliseConfig } from "./config";
import { makeEmailDelivery } from "./emailDelivery";
import { emailPasswordMigrations } from "./migrations";
import { RateLimiter } from "./rateLimit";
import { makeRecipeImplementation } from "./recipeImplementation";
import type { APIInterface, APIOptions, EmailDeliveryInterface, RecipeInterface, TypeInput, TypeNormalisedInput } from "./types";

/** Implementations a composing recipe (ThirdPartyEmailPassword) hands in instead of building its own. */
export interface EmailPasswordParts {
  recipeInterfaceImpl: RecipeInterface;
  apiImpl: APIInterface;
}

const ROUTES: RecipeRoute<APIInterface, APIOptions>[] = [
  { method: "post", path: "/signup", id: "signUpPOST", handler: handlers.signUp },
  { method: "post", path: "/signin", id: "signInPOST", handler: handlers.signIn },
  { method: "get", path: "/emailpassword/email/exists", id: "emailExistsGET", handler: handlers.emailExists },
  { method: "post", path: "/user/password/reset/token", id: "generatePasswordResetTokenPOST", handler: handlers.generatePasswordResetToken },
  { method: "post", path: "/user/password/reset", id: "passwordResetPOST", handler: handlers.passwordReset },
];

/** The emailpassword recipe instance: config, implementations, routes, tables. */
export class EmailPasswordRecipe extends RecipeModule {
  static readonly RECIPE_ID = "emailpassword";
  readonly recipeId: string = EmailPasswordRecipe.RECIPE_ID;
  override readonly dependsOn = ["session"];
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  readonly emailDelivery: EmailDeliveryInterface;
  readonly rateLimiter: RateLimiter;

  /** Validates the config and builds the (overridden) implementations, or takes a composing recipe's. */
  constructor(context: RecipeContext, input: TypeInput | undefined, parts?: { label: string; build: (config: TypeNormalisedInput) => EmailPasswordParts }) {
    super(context);
    this.config = normaliseConfig(input, parts?.label);
    const { signIn, passwordReset } = this.config.rateLimit;
    const windows = [signIn.perEmail, signIn.perIp, passwordReset.perEmail, passwordReset.perIp].map((rule) => rule?.windowMs ?? 0);
    this.rateLimiter = new RateLimiter(context.database, Math.max(...windows));
    const given = parts?.build(this.config);
    this.recipeInterfaceImpl = given?.recipeInterfaceImpl ?? buildImplementation<RecipeInterface>(
      "EmailPassword.init.override.functions",
      (self) => makeRecipeImplementation(context.database, this.config, self),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = given?.apiImpl ?? buildImplementation<APIInterface>("EmailPassword.init.override.apis", () => makeAPIImplementation(), input?.override?.apis, {
      allowDisabled: true,
    });
    this.emailDelivery = buildImplementation<EmailDeliveryInterface>(
      "EmailPassword.init.emailDelivery.override",
      () => makeEmailDelivery(this.config, context.appInfo.appName),
      this.config.emailDeliveryOverride,
      { allowDisabled: false },
    );
  }

  /** The initialised emailpassword recipe, or a clear error. */
  static getInstanceOrThrow(): EmailPasswordRecipe {
    return Latchkey.getRecipeOrThrow(EmailPasswordRecipe);
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(ROUTES, this.apiImpl);
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    const { websiteDomain, websiteBasePath, appName } = this.context.appInfo;
    return dispatchRoute(
      ROUTES,
      apiId,
      this.apiImpl,
      { recipeImplementation: this.recipeInterfaceImpl, emailDelivery: this.emailDelivery, rateLimiter: this.rateLimiter, config: this.config, appInfo: { websiteDomain, websiteBasePath, appName }, req, res },
      userContext,
    );
  }

  override getMigrations(): RecipeMigration[] {
    return emailPasswordMigrations;
  }

  override async getUserById(userId: string, userContext: UserContext): Promise<User | undefined> {
    const user = await this.recipeInterfaceImpl.getUserById({ userId, userContext });
    return user === undefined ? undefined : { id: user.id, recipeId: this.recipeId, timeJoined: user.timeJoined, email: user.email };
  }

  override async deleteUserData(userId: string, trx: Knex.Transaction): Promise<void> {
    await trx(this.context.database.table("emailpassword_reset_tokens")).where({ user_id: userId }).del();
    await trx(this.context.database.table("emailpassword_users")).where({ user_id: userId }).del();
  }
}
