import { PrimitiveArrayClaim } from "../../lib/claims";
import { Latchkey } from "../../lib/latchkey";
import { UserRolesRecipe } from "./recipe";

/**
 * How long a role or permission list in the access token counts as fresh (SuperTokens' default, 300 s). A
 * validator given no max age fetches an older list again (one query) before checking it, and the new token goes
 * out on the response, so a removed role stops passing within this time without a new sign-in.
 */
export const ROLES_DEFAULT_MAX_AGE_IN_SECONDS = 300;

/**
 * The user's roles in the session's tenant, kept in the access token under "st-role" as `{ v: string[], t: ms }`
 * (the key and shape the SuperTokens frontend SDKs' UserRoleClaim reads). Asked of the running recipe at fetch time,
 * through its overridable getRolesForUser, so an override of it reaches the token too.
 */
export class UserRoleClaimClass extends PrimitiveArrayClaim<string> {
  constructor() {
    super(
      "st-role",
      async (userId, userContext, tenantId) => {
        const impl = Latchkey.getRecipeOrThrow(UserRolesRecipe).recipeInterfaceImpl;
        return (await impl.getRolesForUser({ userId, tenantId, userContext })).roles;
      },
      ROLES_DEFAULT_MAX_AGE_IN_SECONDS,
    );
  }
}

/**
 * The permissions of all the user's roles in the session's tenant, deduplicated and sorted, under "st-perm"
 * (SuperTokens' PermissionClaim). The roles come from the overridable getRolesForUser; their permissions from one
 * query for all of them, or role by role through getPermissionsForRole when that function is overridden.
 */
export class PermissionClaimClass extends PrimitiveArrayClaim<string> {
  constructor() {
    super(
      "st-perm",
      (userId, userContext, tenantId) =>
        Latchkey.getRecipeOrThrow(UserRolesRecipe).permissionsOfUser(userId, tenantId, userContext),
      ROLES_DEFAULT_MAX_AGE_IN_SECONDS,
    );
  }
}

/** The roles claim (`st-role`): `UserRoleClaim.validators.includes("admin")` in verifySession or assertClaims. */
export const UserRoleClaim = new UserRoleClaimClass();

/** The permissions claim (`st-perm`): `PermissionClaim.validators.includes("read:orders")`. */
export const PermissionClaim = new PermissionClaimClass();
