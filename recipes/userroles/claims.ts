import { PrimitiveArrayClaim } from "../../lib/claims";
import { Latchkey } from "../../lib/latchkey";
import { UserRolesRecipe } from "./recipe";

/**
 * The user's roles in the session's tenant, kept in the access token under "st-role" as `{ v: string[], t: ms }`
 * (the key and shape the SuperTokens frontend SDKs' UserRoleClaim reads). Asked of the running recipe at fetch time,
 * through its overridable getRolesForUser, so an override of it reaches the token too.
 */
export class UserRoleClaimClass extends PrimitiveArrayClaim<string> {
  constructor() {
    super("st-role", async (userId, userContext, tenantId) => {
      const impl = Latchkey.getRecipeOrThrow(UserRolesRecipe).recipeInterfaceImpl;
      return (await impl.getRolesForUser({ userId, tenantId, userContext })).roles;
    });
  }
}

/**
 * The permissions of all the user's roles in the session's tenant, deduplicated, under "st-perm" (SuperTokens'
 * PermissionClaim). Fetched through getRolesForUser and getPermissionsForRole, so overrides of either apply.
 */
export class PermissionClaimClass extends PrimitiveArrayClaim<string> {
  constructor() {
    super("st-perm", async (userId, userContext, tenantId) => {
      const impl = Latchkey.getRecipeOrThrow(UserRolesRecipe).recipeInterfaceImpl;
      const { roles } = await impl.getRolesForUser({ userId, tenantId, userContext });
      const permissions = new Set<string>();
      for (const role of roles) {
        const result = await impl.getPermissionsForRole({ role, userContext });
        // A role deleted since getRolesForUser answered has no permissions left to grant.
        if (result.status === "OK") for (const permission of result.permissions) permissions.add(permission);
      }
      return [...permissions];
    });
  }
}

/** The roles claim (`st-role`): `UserRoleClaim.validators.includes("admin")` in verifySession or assertClaims. */
export const UserRoleClaim = new UserRoleClaimClass();

/** The permissions claim (`st-perm`): `PermissionClaim.validators.includes("read:orders")`. */
export const PermissionClaim = new PermissionClaimClass();
