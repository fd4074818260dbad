import type { Capability, Provision } from "../../lib/capabilities";
import { provide } from "../../lib/capabilities";
import type { RecipeMigration } from "../../lib/db/migrations";
import { withMemberTenants } from "../../lib/db/tenantMembers";
import { isStorableText } from "../../lib/db/text";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { RateLimiter } from "../../lib/rateLimit/limiter";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { apisHandled, dispatchRoute, type RecipeRoute } from "../../lib/recipeRoutes";
import {
  EmailVerifiers,
  FactorIds,
  type LoginMethodProvider,
  type LoginMethodRecord,
  LoginMethods,
  MultiFactorAuthServices,
  type SecondFactorProvider,
  SecondFactors,
  UserListings,
  Sessions,
  TenantDataOwners,
  type TenantMembershipProvider,
  TenantMemberships,
  UserDataOwners,
} from "../../lib/seams";
import type { UserContext } from "../../lib/types";
import { findUser, userForResponse } from "../../lib/users";
import * as handlers from "./api/handlers";
import { makeAPIImplementation } from "./api/implementation";
import { normaliseConfig } from "./config";
import { makeEmailDelivery, makeSmsDelivery } from "./delivery";
import { passwordlessMigrations } from "./migrations";
import { makeRecipeImplementation } from "./recipeImplementation";
import { makePasswordlessStore, type PasswordlessStore } from "./store";
import type {
  APIInterface,
  APIOptions,
  EmailDeliveryInterface,
  PasswordlessUser,
  RecipeInterface,
  SmsDeliveryInterface,
  TypeInput,
  TypeNormalisedInput,
} from "./types";
import { storableEmail } from "./validation";

const ROUTES: RecipeRoute<APIInterface, APIOptions>[] = [
  { method: "post", path: "/signinup/code", id: "createCodePOST", handler: handlers.createCode },
  { method: "post", path: "/signinup/code/resend", id: "resendCodePOST", handler: handlers.resendCode },
  { method: "post", path: "/signinup/code/consume", id: "consumeCodePOST", handler: handlers.consumeCode },
  { method: "get", path: "/passwordless/email/exists", id: "emailExistsGET", handler: handlers.emailExists },
  // The SDK sends "phonenumber"; the FDI spec writes "phoneNumber": the same API answers both.
  {
    method: "get",
    path: "/passwordless/phonenumber/exists",
    id: "phoneNumberExistsGET",
    handler: handlers.phoneNumberExists,
  },
  {
    method: "get",
    path: "/passwordless/phoneNumber/exists",
    id: "phoneNumberExistsGET",
    handler: handlers.phoneNumberExists,
  },
];

/** The factors a sign-in with this config proves (MFA's names): by code and/or link, by email and/or phone. */
function factorIdsOf(config: TypeNormalisedInput): string[] {
  const email = config.contactMethod !== "PHONE";
  const phone = config.contactMethod !== "EMAIL";
  const code = config.flowType !== "MAGIC_LINK";
  const link = config.flowType !== "USER_INPUT_CODE";
  return [
    ...(email && code ? [FactorIds.OTP_EMAIL] : []),
    ...(phone && code ? [FactorIds.OTP_PHONE] : []),
    ...(email && link ? [FactorIds.LINK_EMAIL] : []),
    ...(phone && link ? [FactorIds.LINK_PHONE] : []),
  ];
}

/** The passwordless recipe instance: config, implementations, routes, tables, and what it offers other recipes. */
export class PasswordlessRecipe extends RecipeModule {
  static readonly RECIPE_ID = "passwordless";
  readonly recipeId: string = PasswordlessRecipe.RECIPE_ID;
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  readonly emailDelivery: EmailDeliveryInterface;
  readonly smsDelivery: SmsDeliveryInterface;
  readonly rateLimiter: RateLimiter;
  private readonly store: PasswordlessStore;

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(input);
    const { createCode, consumeCode } = this.config.rateLimit;
    const windows = [createCode, consumeCode].flatMap((l) => [l.perEmail?.windowMs ?? 0, l.perIp?.windowMs ?? 0]);
    this.rateLimiter = new RateLimiter(context.database, "passwordless_rate_limits", Math.max(...windows));
    this.store = makePasswordlessStore(context.database);
    const { websiteDomain, websiteBasePath } = context.appInfo;
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "Passwordless.init.override.functions",
      (self) => makeRecipeImplementation(this.store, this.config, { websiteDomain, websiteBasePath }, self),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>(
      "Passwordless.init.override.apis",
      () => makeAPIImplementation(),
      input?.override?.apis,
      { allowDisabled: true },
    );
    this.emailDelivery = buildImplementation<EmailDeliveryInterface>(
      "Passwordless.init.emailDelivery.override",
      () => makeEmailDelivery(this.config, context.appInfo.appName),
      this.config.emailDeliveryOverride,
      { allowDisabled: false },
    );
    this.smsDelivery = buildImplementation<SmsDeliveryInterface>(
      "Passwordless.init.smsDelivery.override",
      () => makeSmsDelivery(this.config),
      this.config.smsDeliveryOverride,
      { allowDisabled: false },
    );
  }

  /** The initialised passwordless recipe, or a clear error. */
  static getInstanceOrThrow(): PasswordlessRecipe {
    return Latchkey.getRecipeOrThrow(PasswordlessRecipe);
  }

  /** SuperTokens' loginMethods entry of a passwordless user: signing in proved the email or phone, so verified. */
  private loginMethodOf(user: PasswordlessUser): LoginMethodRecord {
    return {
      recipeId: PasswordlessRecipe.RECIPE_ID,
      recipeUserId: user.id,
      tenantIds: [user.tenantId],
      ...(user.email !== undefined ? { email: user.email } : {}),
      ...(user.phoneNumber !== undefined ? { phoneNumber: user.phoneNumber } : {}),
      verified: true,
      timeJoined: user.timeJoined,
    };
  }

  override requires(): Capability<unknown>[] {
    return [Sessions];
  }

  override provides(): Provision[] {
    const { store } = this;
    // Every tenant the user belongs to (the one they signed up in and those they were added to).
    const withTenants = async (record: LoginMethodRecord | undefined): Promise<LoginMethodRecord | undefined> =>
      record === undefined ? undefined : { ...record, tenantIds: await store.tenantsOfUser(record.recipeUserId) };
    const userOf = (row: Awaited<ReturnType<PasswordlessStore["findUserById"]>>) =>
      row === undefined
        ? undefined
        : this.loginMethodOf({
            id: row.user_id,
            tenantId: row.tenant_id,
            ...(row.email !== null ? { email: row.email } : {}),
            ...(row.phone_number !== null ? { phoneNumber: row.phone_number } : {}),
            timeJoined: Number(row.time_joined),
          });
    const loginMethods: LoginMethodProvider = {
      factorIds: factorIdsOf(this.config),
      // Read from the store, as the other login methods do: a login method reports what is stored.
      getLoginMethod: async ({ userId }) =>
        isStorableText(userId) && userId.length <= 36
          ? withTenants(userOf(await store.findUserById(userId)))
          : undefined,
      getLoginMethodsByEmail: async ({ email, tenantId }) => {
        const normalised = storableEmail(email);
        if (normalised === undefined || !isStorableText(tenantId)) return [];
        const record = await withTenants(
          userOf(await store.findUserByContact(tenantId, { email: normalised, phone_number: null })),
        );
        return record === undefined ? [] : [record];
      },
    };
    const memberships: TenantMembershipProvider = {
      addUserToTenant: async ({ tenantId, recipeUserId }) => {
        const ok = isStorableText(recipeUserId) && recipeUserId.length <= 36;
        const outcome = ok ? await store.addToTenant(tenantId, recipeUserId) : undefined;
        if (outcome === undefined) return undefined;
        if (outcome.status !== "CLASH") return outcome.status;
        return outcome.key === 0 ? "EMAIL_ALREADY_EXISTS_ERROR" : "PHONE_NUMBER_ALREADY_EXISTS_ERROR";
      },
      removeUserFromTenant: ({ tenantId, recipeUserId }) =>
        isStorableText(recipeUserId) ? store.removeFromTenant(tenantId, recipeUserId) : Promise.resolve(false),
    };
    const factorIds = factorIdsOf(this.config);
    const secondFactors: SecondFactorProvider = {
      factorIds,
      // Set up: the user has an address of the factor's kind (in any login method); codes go only to those.
      getFactorsSetUpForUser: async ({ userId, userContext }) => {
        const user = await findUser(this.context.capabilities, userId, userContext);
        if (user === undefined) return [];
        return factorIds.filter((id) =>
          id.endsWith("-email") ? user.emails.length > 0 : id.endsWith("-phone") && user.phoneNumbers.length > 0,
        );
      },
    };
    return [
      provide(LoginMethods, loginMethods),
      provide(SecondFactors, secondFactors),
      provide(UserListings, {
        recipeId: PasswordlessRecipe.RECIPE_ID,
        listLoginMethods: async (input) =>
          withMemberTenants(
            (await store.listUsers(input)).map((row) => userOf(row) as LoginMethodRecord),
            store.tenantsOfUsers,
          ),
        countUsers: ({ tenantId }) => store.countUsers(tenantId),
      }),
      provide(UserDataOwners, { deleteUserData: ({ userId, trx }) => this.store.deleteUserData(trx, userId) }),
      provide(TenantMemberships, memberships),
      provide(TenantDataOwners, { deleteTenantData: ({ tenantId }) => store.removeTenant(tenantId) }),
    ];
  }

  // A new code is for an email or a phone number: only that one's factors count. A resend or a consume goes on with
  // a device made by an allowed createCode, so any of the recipe's factors lets it through.
  override async firstFactorsOf(apiId: string, req: BaseRequest): Promise<readonly string[]> {
    if (!["createCodePOST", "resendCodePOST", "consumeCodePOST"].includes(apiId)) return [];
    const all = factorIdsOf(this.config);
    if (apiId !== "createCodePOST") return all;
    const body = await req.getJSONBody();
    const by =
      typeof body.email === "string" && body.phoneNumber === undefined
        ? [FactorIds.OTP_EMAIL, FactorIds.LINK_EMAIL]
        : typeof body.phoneNumber === "string" && body.email === undefined
          ? [FactorIds.OTP_PHONE, FactorIds.LINK_PHONE]
          : undefined;
    const some = by === undefined ? [] : all.filter((f) => (by as string[]).includes(f));
    // Never [] (that would mean "signs no one in"): a contact this config cannot take is the handler's 400.
    return some.length > 0 ? some : all;
  }

  getAPIsHandled(): APIHandled[] {
    return apisHandled(ROUTES, this.apiImpl);
  }

  handleAPIRequest(apiId: string, req: BaseRequest, res: BaseResponse, userContext: UserContext): Promise<boolean> {
    const { websiteDomain, websiteBasePath, appName } = this.context.appInfo;
    const options: APIOptions = {
      recipeImplementation: this.recipeInterfaceImpl,
      emailDelivery: this.emailDelivery,
      smsDelivery: this.smsDelivery,
      rateLimiter: this.rateLimiter,
      // Asked at request time: the capability registry answers only once every recipe of the list is built.
      sessions: this.context.capabilities.required(Sessions),
      emailVerifier: this.context.capabilities.optional(EmailVerifiers),
      config: this.config,
      appInfo: { websiteDomain, websiteBasePath, appName },
      userForResponse: (user, context) => userForResponse(this.context.capabilities, this.loginMethodOf(user), context),
      mfa: this.context.capabilities.optional(MultiFactorAuthServices),
      getUser: (userId, context) => findUser(this.context.capabilities, userId, context),
      req,
      res,
    };
    return dispatchRoute(ROUTES, apiId, this.apiImpl, options, userContext);
  }

  override getMigrations(): RecipeMigration[] {
    return passwordlessMigrations;
  }
}
