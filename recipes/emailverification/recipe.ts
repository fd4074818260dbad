import type { Knex } from "knex";
import { provide, type Provision } from "../../lib/capabilities";
import { SessionClaimSources } from "../../lib/seams";
import type { RecipeMigration } from "../../lib/db/migrations";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import type { UserContext } from "../../lib/types";
import type { SessionClaimProvider } from "../session/index";
import * as handlers from "./api/handlers";
import { makeAPIImplementation } from "./api/implementation";
import { EmailVerificationClaim } from "./claim";
import { normaliseConfig } from "./config";
import { makeEmailDelivery } from "./emailDelivery";
import { emailVerificationMigrations } from "./migrations";
import { makeRecipeImplementation } from "./recipeImplementation";
import type { APIInterface, APIOptions, EmailDeliveryInterface, RecipeInterface, TypeInput, TypeNormalisedInput } from "./types";

const ROUTES: RecipeRoute<APIInterface, APIOptions>[] = [
  { method: "post", path: "/user/email/verify/token", id: "generateEmailVerifyTokenPOST", handler: handlers.generateEmailVerifyToken },
  { method: "post", path: "/user/email/verify", id: "verifyEmailPOST", handler: handlers.verifyEmail },
  { method: "get", path: "/user/email/verify", id: "isEmailVerifiedGET", handler: handlers.isEmailVerified },
];

/** The emailverification recipe instance; it adds the email verification claim to every session. */
export class EmailVerificationRecipe extends RecipeModule implements SessionClaimProvider {
  static readonly RECIPE_ID = "emailverification";
  readonly recipeId = EmailVerificationRecipe.RECIPE_ID;
  override readonly dependsOn = ["session"];
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  readonly emailDelivery: EmailDeliveryInterface;

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(input);
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "EmailVerification.init.override.functions",
      (self) => makeRecipeImplementation(context.database, this.config, self),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>("EmailVerification.init.override.apis", () => makeAPIImplementation(), input?.override?.apis, {
      allowDisabled: true,
    });
    this.emailDelivery = buildImplementation<EmailDeliveryInterface>(
      "EmailVerification.init.emailDelivery.override",
      () => makeEmailDelivery(this.config, context.appInfo.appName),
      this.config.emailDeliveryOverride,
      { allowDisabled: false },
    );
  }

  /** The initialised emailverification recipe, or a clear error. */
  static getInstanceOrThrow(): EmailVerificationRecipe {
    return Latchkey.getRecipeOrThrow(EmailVerificationRecipe);
  }

  getSessionClaims(): ReturnType<SessionClaimProvider["getSessionClaims"]> {
    return {
      claims: [EmailVerificationClaim],
      validators: this.config.mode === "REQUIRED" ? [EmailVerificationClaim.emailValidators.isVerified()] : [],
    };
  }

  // The session recipe gathers claims through this key (it no longer scans the recipe list).
  override provides(): Provision[] {
    return [provide(SessionClaimSources, this)];
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(ROUTES, this.apiImpl);
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    const { websiteDomain, websiteBasePath } = this.context.appInfo;
    return dispatchRoute(
      ROUTES,
      apiId,
      this.apiImpl,
      { recipeImplementation: this.recipeInterfaceImpl, emailDelivery: this.emailDelivery, config: this.config, appInfo: { websiteDomain, websiteBasePath }, req, res },
      userContext,
    );
  }

  override getMigrations(): RecipeMigration[] {
    return emailVerificationMigrations;
  }

  override async deleteUserData(userId: string, trx: Knex.Transaction): Promise<void> {
    await trx(this.context.database.table("emailverification_tokens")).where({ user_id: userId }).del();
    await trx(this.context.database.table("emailverification_verified")).where({ user_id: userId }).del();
  }
}
