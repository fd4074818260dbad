import { provide, type Provision } from "../../lib/capabilities";
import type { SessionClaim } from "../../lib/claims";
import type { RecipeMigration } from "../../lib/db/migrations";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { type RoleAdministration, RoleAdministrations, SessionClaimSources, UserDataOwners } from "../../lib/seams";
import type { JSONValue } from "../../lib/types";
import { makeAPIImplementation } from "./api/implementation";
import { PermissionClaim, UserRoleClaim } from "./claims";
import { normaliseConfig } from "./config";
import { userRolesMigrations } from "./migrations";
import { makeRecipeImplementation } from "./recipeImplementation";
import { makeUserRolesStore, type UserRolesStore } from "./store";
import type { APIInterface, RecipeInterface, TypeInput, TypeNormalisedInput } from "./types";

/** The userroles recipe instance: roles and permissions in its tables, and in every new session's access token. */
export class UserRolesRecipe extends RecipeModule {
  static readonly RECIPE_ID = "userroles";
  readonly recipeId = UserRolesRecipe.RECIPE_ID;
  readonly config: TypeNormalisedInput;
  readonly recipeInterfaceImpl: RecipeInterface;
  readonly apiImpl: APIInterface;
  private readonly store: UserRolesStore;

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(input);
    this.store = makeUserRolesStore(context.database);
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "UserRoles.init.override.functions",
      () => makeRecipeImplementation(this.store),
      input?.override?.functions,
      { allowDisabled: false },
    );
    this.apiImpl = buildImplementation<APIInterface>(
      "UserRoles.init.override.apis",
      () => makeAPIImplementation(),
      input?.override?.apis,
      { allowDisabled: true },
    );
  }

  /** The initialised userroles recipe, or a clear error. */
  static getInstanceOrThrow(): UserRolesRecipe {
    return Latchkey.getRecipeOrThrow(UserRolesRecipe);
  }

  // The claims go into new sessions only; nothing checks them unless the app asks (verifySession, assertClaims).
  override provides(): Provision[] {
    const claims: SessionClaim<JSONValue>[] = [];
    if (!this.config.skipAddingRolesToAccessToken) claims.push(UserRoleClaim as SessionClaim<JSONValue>);
    if (!this.config.skipAddingPermissionsToAccessToken) claims.push(PermissionClaim as SessionClaim<JSONValue>);
    return [
      provide(SessionClaimSources, { getSessionClaims: () => ({ claims, validators: [] }) }),
      provide(UserDataOwners, { deleteUserData: ({ userId, trx }) => this.store.deleteUserData(trx, userId) }),
      provide(RoleAdministrations, this.roleAdministration()),
    ];
  }

  // Through the (overridable) functions, so an app's override of a role function holds for the dashboard too.
  private roleAdministration(): RoleAdministration {
    const impl = this.recipeInterfaceImpl;
    return {
      getAllRoles: async (input) => (await impl.getAllRoles(input)).roles,
      getPermissionsForRole: async (input) => {
        const result = await impl.getPermissionsForRole(input);
        return result.status === "OK" ? result.permissions : undefined;
      },
      createRoleOrAddPermissions: async (input) => void (await impl.createNewRoleOrAddPermissions(input)),
      deleteRole: async (input) => (await impl.deleteRole(input)).didRoleExist,
      getRolesForUser: async (input) => (await impl.getRolesForUser(input)).roles,
      addRoleToUser: async (input) => (await impl.addRoleToUser(input)).status === "OK",
      removeRoleFromUser: async (input) => (await impl.removeUserRole(input)).status === "OK",
    };
  }

  getAPIsHandled(): APIHandled[] {
    return [];
  }

  handleAPIRequest(): Promise<boolean> {
    return Promise.resolve(false);
  }

  override getMigrations(): RecipeMigration[] {
    return userRolesMigrations;
  }
}
