import type { Capability, Provision } from "../../lib/capabilities";
import { provide } from "../../lib/capabilities";
import { withMemberTenants } from "../../lib/db/tenantMembers";
import { isStorableText } from "../../lib/db/text";
import type { RecipeMigration } from "../../lib/db/migrations";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { RateLimiter } from "../../lib/rateLimit/limiter";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import {
  FactorIds,
  type LoginMethodProvider,
  type LoginMethodRecord,
  LoginMethods,
  UserListings,
  Sessions,
  TenantDataOwners,
  type TenantMembershipProvider,
  TenantMemberships,
  UserDataOwners,
} from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import { userForResponse } from "../../lib/users";
import * as handlers from "./api/handlers";
import { makeAPIImplementation } from "./api/implementation";
import { normaliseConfig } from "./config";
import { makeEmailDelivery } from "./emailDelivery";
import { emailPasswordMigrations } from "./migrations";
import { makeRecipeImplementation } from "./recipeImplementation";
import { type EmailPasswordStore, makeEmailPasswordStore, type UserRow } from "./store";
import type {
  APIInterface,
  APIOptions,
  EmailDeliveryInterface,
  RecipeInterface,
  TypeInput,
  TypeNormalisedInput,
} from "./types";
import { hardLimits, normaliseEmail } from "./validation";

/** SuperTokens' loginMethods entry of an emailpassword user. */
function loginMethodOf(row: UserRow): LoginMethodRecord {
  return {
    recipeId: EmailPasswordRecipe.RECIPE_ID,
    recipeUserId: row.user_id,
    tenantIds: [row.tenant_id],
    email: row.email,
    timeJoined: Number(row.time_joined),
  };
}

const ROUTES: RecipeRoute<APIInterface, APIOptions>[] = [
  { method: "post", path: "/signup", id: "signUpPOST", handler: handlers.signUp },
  { method: "post", path: "/signin", id: "signInPOST", handler: handlers.signIn },
  { method: "get", path: "/emailpassword/email/exists", id: "emailExistsGET", handler: handlers.emailExists },
  // The deprecated name FDI 3.x still lists; the same API (and the same override) answers it.
  { method: "get", path: "/signup/email/exists", id: "emailExistsGET", handler: handlers.emailExists },
  {
    method: "post",
    path: "/user/password/reset/token",
    id: "generatePasswordResetTokenPOST",
    handler: handlers.generatePasswordResetToken,
  },
  { method: "post", path: "/user/password/reset", id: "passwordResetPOST", handler: handlers.passwordReset },
];

/** The emailpassword recipe instance: config, implementations, routes, tables, and what it offers other recipes. */
export class EmailPasswordRecipe extends RecipeModule {
  static readonly RECIPE_ID = "emailpassword";
  readonly recipeId: string = EmailPasswordRecipe.RECIPE_ID;
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  readonly emailDelivery: EmailDeliveryInterface;
  readonly rateLimiter: RateLimiter;
  private readonly store: EmailPasswordStore;

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(input);
    const { signUp, signIn, passwordReset } = this.config.rateLimit;
    const rules = [signUp, signIn, passwordReset].flatMap((limits) => [limits.perEmail, limits.perIp]);
    const windows = rules.map((rule) => rule?.windowMs ?? 0);
    // The table this recipe always had: its counters stay where they are.
    this.rateLimiter = new RateLimiter(context.database, "emailpassword_rate_limits", Math.max(...windows));
    this.store = makeEmailPasswordStore(context.database);
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "EmailPassword.init.override.functions",
      (self) => makeRecipeImplementation(this.store, this.config, self),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>(
      "EmailPassword.init.override.apis",
      () => makeAPIImplementation(),
      input?.override?.apis,
      {
        allowDisabled: true,
      },
    );
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

  override requires(): Capability<unknown>[] {
    return [Sessions];
  }

  override provides(): Provision[] {
    const { store } = this;
    const loginMethods: LoginMethodProvider = {
      factorIds: [FactorIds.EMAILPASSWORD],
      // Read from the store, as ThirdParty does: a login method reports what is stored (its tenant included).
      getLoginMethod: async ({ userId }) => {
        const row = isStorableText(userId) ? await store.findUserById(userId) : undefined;
        return row === undefined ? undefined : { ...loginMethodOf(row), tenantIds: await store.tenantsOfUser(userId) };
      },
      getLoginMethodsByEmail: async ({ email, tenantId }) => {
        // An email or tenant no row could hold (NUL, unpaired surrogates, too long) is not looked up at all.
        const normalised = normaliseEmail(email);
        if (hardLimits("email", normalised) !== undefined || !isStorableText(tenantId)) return [];
        const row = await store.findUserByEmail(tenantId, normalised);
        return row === undefined ? [] : [{ ...loginMethodOf(row), tenantIds: await store.tenantsOfUser(row.user_id) }];
      },
    };
    const memberships: TenantMembershipProvider = {
      addUserToTenant: async ({ tenantId, recipeUserId }) => {
        const outcome = isStorableText(recipeUserId) ? await store.addToTenant(tenantId, recipeUserId) : undefined;
        if (outcome === undefined) return undefined;
        return outcome.status === "CLASH" ? "EMAIL_ALREADY_EXISTS_ERROR" : outcome.status;
      },
      removeUserFromTenant: ({ tenantId, recipeUserId }) =>
        isStorableText(recipeUserId) ? store.removeFromTenant(tenantId, recipeUserId) : Promise.resolve(false),
    };
    return [
      provide(LoginMethods, loginMethods),
      provide(UserListings, {
        recipeId: EmailPasswordRecipe.RECIPE_ID,
        listLoginMethods: async (input) =>
          withMemberTenants((await store.listUsers(input)).map(loginMethodOf), store.tenantsOfUsers),
        countUsers: ({ tenantId }) => store.countUsers(tenantId),
      }),
      provide(UserDataOwners, { deleteUserData: ({ userId, trx }) => this.store.deleteUserData(trx, userId) }),
      provide(TenantMemberships, memberships),
      provide(TenantDataOwners, { deleteTenantData: ({ tenantId }) => store.removeTenant(tenantId) }),
    ];
  }

  override firstFactorsOf(apiId: string): Promise<readonly string[]> {
    return Promise.resolve(apiId === "signUpPOST" || apiId === "signInPOST" ? [FactorIds.EMAILPASSWORD] : []);
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(ROUTES, this.apiImpl);
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    const { websiteDomain, websiteBasePath, appName } = this.context.appInfo;
    const options: APIOptions = {
      recipeImplementation: this.recipeInterfaceImpl,
      emailDelivery: this.emailDelivery,
      rateLimiter: this.rateLimiter,
      // Asked at request time: the capability registry answers only once every recipe of the list is built.
      sessions: this.context.capabilities.required(Sessions),
      config: this.config,
      appInfo: { websiteDomain, websiteBasePath, appName },
      userForResponse: (user, tenantId, context) =>
        userForResponse(
          this.context.capabilities,
          {
            recipeId: EmailPasswordRecipe.RECIPE_ID,
            recipeUserId: user.id,
            tenantIds: [tenantId],
            email: user.email,
            timeJoined: user.timeJoined,
          },
          context,
        ),
      req,
      res,
    };
    return dispatchRoute(ROUTES, apiId, this.apiImpl, options, userContext);
  }

  override getMigrations(): RecipeMigration[] {
    return emailPasswordMigrations;
  }
}
