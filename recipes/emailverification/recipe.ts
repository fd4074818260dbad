import type { Capability, Provision } from "../../lib/capabilities";
import { provide } from "../../lib/capabilities";
import type { SessionClaimProvider } from "../../lib/claims";
import type { RecipeMigration } from "../../lib/db/migrations";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import {
  EmailVerificationAdministrations,
  type EmailVerifier,
  SessionClaimSources,
  Sessions,
  EmailVerifiers,
  UserDataOwners,
} from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import * as handlers from "./api/handlers";
import { makeAPIImplementation } from "./api/implementation";
import { EmailVerificationClaim } from "./claim";
import { RateLimiter } from "../../lib/rateLimit/limiter";
import { normaliseConfig } from "./config";
import { makeEmailDelivery } from "./emailDelivery";
import { emailVerificationMigrations } from "./migrations";
import { makeRecipeImplementation } from "./recipeImplementation";
import { type EmailVerificationStore, makeEmailVerificationStore } from "./store";
import type {
  APIInterface,
  APIOptions,
  EmailDeliveryInterface,
  RecipeInterface,
  TypeInput,
  TypeNormalisedInput,
} from "./types";
import { emailForUser } from "./userEmail";

const ROUTES: RecipeRoute<APIInterface, APIOptions>[] = [
  {
    method: "post",
    path: "/user/email/verify/token",
    id: "generateEmailVerifyTokenPOST",
    handler: handlers.generateEmailVerifyToken,
  },
  { method: "post", path: "/user/email/verify", id: "verifyEmailPOST", handler: handlers.verifyEmail },
  { method: "get", path: "/user/email/verify", id: "isEmailVerifiedGET", handler: handlers.isEmailVerified },
];

/** The emailverification recipe instance; it adds the email verification claim to every session. */
export class EmailVerificationRecipe extends RecipeModule implements SessionClaimProvider {
  static readonly RECIPE_ID = "emailverification";
  readonly recipeId = EmailVerificationRecipe.RECIPE_ID;
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  readonly emailDelivery: EmailDeliveryInterface;
  readonly rateLimiter: RateLimiter;
  private readonly store: EmailVerificationStore;

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(input);
    this.store = makeEmailVerificationStore(context.database);
    const { perUser, perEmail } = this.config.rateLimit;
    this.rateLimiter = new RateLimiter(
      context.database,
      "emailverification_rate_limits",
      Math.max(perUser?.windowMs ?? 0, perEmail?.windowMs ?? 0),
    );
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "EmailVerification.init.override.functions",
      (self) => makeRecipeImplementation(this.store, this.config, self),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>(
      "EmailVerification.init.override.apis",
      () => makeAPIImplementation(),
      input?.override?.apis,
      {
        allowDisabled: true,
      },
    );
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

  override requires(): Capability<unknown>[] {
    return [Sessions];
  }

  override provides(): Provision[] {
    const verifier: EmailVerifier = {
      // Through the (overridable) recipe function, so an app's own notion of "verified" holds everywhere.
      isEmailVerified: (input) => this.recipeInterfaceImpl.isEmailVerified(input),
      // A provider vouched for the address: recorded directly, idempotent, with the same locks as a token's use.
      markEmailVerified: ({ userId, email, tenantId }) =>
        this.store.markVerified({ userId, email, tenantId, now: Date.now() }),
    };
    return [
      provide(EmailVerifiers, verifier),
      provide(EmailVerificationAdministrations, {
        unverifyEmail: async (input) => void (await this.recipeInterfaceImpl.unverifyEmail(input)),
      }),
      provide(SessionClaimSources, { getSessionClaims: () => this.getSessionClaims() }),
      provide(UserDataOwners, { deleteUserData: ({ userId, trx }) => this.store.deleteUserData(trx, userId) }),
    ];
  }

  /** The st-ev claim on every new session, and its validator on every request when the mode is REQUIRED. */
  getSessionClaims(): ReturnType<SessionClaimProvider["getSessionClaims"]> {
    return {
      claims: [EmailVerificationClaim],
      validators: this.config.mode === "REQUIRED" ? [EmailVerificationClaim.emailValidators.isVerified()] : [],
    };
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(ROUTES, this.apiImpl);
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    const { websiteDomain, websiteBasePath } = this.context.appInfo;
    const { capabilities } = this.context;
    const options: APIOptions = {
      recipeImplementation: this.recipeInterfaceImpl,
      emailDelivery: this.emailDelivery,
      // Asked at request time: the capability registry answers only once every recipe of the list is built.
      sessions: capabilities.required(Sessions),
      emailForUser: (userId, ctx) => emailForUser(capabilities, userId, ctx),
      config: this.config,
      rateLimiter: this.rateLimiter,
      appInfo: { websiteDomain, websiteBasePath },
      req,
      res,
    };
    return dispatchRoute(ROUTES, apiId, this.apiImpl, options, userContext);
  }

  override getMigrations(): RecipeMigration[] {
    return emailVerificationMigrations;
  }
}
