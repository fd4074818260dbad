import { provide, type Provision } from "../../lib/capabilities";
import type { SessionClaim } from "../../lib/claims";
import type { RecipeMigration } from "../../lib/db/migrations";
import { Latchkey } from "../../lib/latchkey";
import { buildImplementation } from "../../lib/override";
import { type APIHandled, type RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { type RoleAdministration, RoleAdministrations, SessionClaimSources, UserDataOwners } from "../../lib/seams";
import type { JSONValue, UserContext } from "../../lib/types";
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
  private readonly originalImpl: RecipeInterface;

  /** Validates the config and builds the (overridden) implementations. */
  constructor(context: RecipeContext, input: TypeInput | undefined) {
    super(context);
    this.config = normaliseConfig(input);
    this.store = makeUserRolesStore(context.database);
    this.originalImpl = makeRecipeImplementation(this.store);
    this.recipeInterfaceImpl = buildImplementation<RecipeInterface>(
      "UserRoles.init.override.functions",
      () => this.originalImpl,
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

  /**
   * The permissions of the user's roles in the tenant, deduplicated and sorted (PermissionClaim's value): the roles
   * through getRolesForUser, then one query for all their permissions. An app that overrides getPermissionsForRole
   * gets its override asked role by role instead, as SuperTokens does.
   */
  async permissionsOfUser(userId: string, tenantId: string, userContext: UserContext): Promise<string[]> {
    const impl = this.recipeInterfaceImpl;
    const { roles } = await impl.getRolesForUser({ userId, tenantId, userContext });
    if (roles.length === 0) return [];
    if (impl.getPermissionsForRole === this.originalImpl.getPermissionsForRole) {
      return this.store.permissionsOfRoles(roles);
    }
    const permissions = new Set<string>();
    for (const role of roles) {
      const result = await impl.getPermissionsForRole({ role, userContext });
      // A role deleted since getRolesForUser answered has no permissions left to grant.
      if (result.status === "OK") for (const permission of result.permissions) permissions.add(permission);
    }
    return [...permissions].sort();
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
