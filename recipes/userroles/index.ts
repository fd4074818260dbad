import type { RecipeListFunction } from "../../lib/recipeModule";
import type { UserContext } from "../../lib/types";
import { PermissionClaim, UserRoleClaim } from "./claims";
import { UserRolesError } from "./error";
import { UserRolesRecipe } from "./recipe";
import type { RecipeInterface, TypeInput } from "./types";

export { PermissionClaim, UserRoleClaim };
export { UserRolesError as Error };
export type { APIInterface, APIOptions, RecipeInterface, TypeInput, UnknownRoleError } from "./types";
export type { UserRolesErrorPayloads, UserRolesErrorType, UserRolesErrorUnion } from "./error";

type Result<K extends keyof RecipeInterface> = ReturnType<RecipeInterface[K]>;

function impl(): RecipeInterface {
  return UserRolesRecipe.getInstanceOrThrow().recipeInterfaceImpl;
}

/**
 * Adds the userroles recipe (and its claims on every new session) to `Latchkey.init`'s recipe list.
 *
 * @example
 * ```ts
 * Latchkey.init({ appInfo, recipeList: [EmailPassword.init(), Session.init(), UserRoles.init()] });
 * ```
 */
export function init(config?: TypeInput): RecipeListFunction {
  return (context) => new UserRolesRecipe(context, config);
}

/**
 * Gives the user the role in the tenant; `didUserAlreadyHaveRole` when it was there, UNKNOWN_ROLE_ERROR if no such role.
 *
 * @example
 * ```ts
 * await UserRoles.createNewRoleOrAddPermissions("admin", ["orders:write"]);
 * const result = await UserRoles.addRoleToUser("public", userId, "admin");
 * if (result.status === "UNKNOWN_ROLE_ERROR") throw new Error("create the role first");
 * ```
 */
export function addRoleToUser(
  tenantId: string,
  userId: string,
  role: string,
  userContext: UserContext = {},
): Result<"addRoleToUser"> {
  return impl().addRoleToUser({ tenantId, userId, role, userContext });
}

/**
 * Takes the role from the user in the tenant; `didUserHaveRole` says whether it was there.
 *
 * @example
 * ```ts
 * const result = await UserRoles.removeUserRole("public", userId, "admin");
 * // Sessions keep the role in their token until it is refetched (within 5 minutes), or at once:
 * await session.fetchAndSetClaim(UserRoleClaim);
 * ```
 */
export function removeUserRole(
  tenantId: string,
  userId: string,
  role: string,
  userContext: UserContext = {},
): Result<"removeUserRole"> {
  return impl().removeUserRole({ tenantId, userId, role, userContext });
}

/**
 * The user's roles in the tenant.
 *
 * @example
 * ```ts
 * const { roles } = await UserRoles.getRolesForUser("public", userId); // e.g. ["admin", "editor"]
 * ```
 */
export function getRolesForUser(
  tenantId: string,
  userId: string,
  userContext: UserContext = {},
): Result<"getRolesForUser"> {
  return impl().getRolesForUser({ tenantId, userId, userContext });
}

/**
 * The ids of the users that have the role in the tenant.
 *
 * @example
 * ```ts
 * const result = await UserRoles.getUsersThatHaveRole("public", "admin");
 * if (result.status === "OK") console.log(result.users);
 * ```
 */
export function getUsersThatHaveRole(
  tenantId: string,
  role: string,
  userContext: UserContext = {},
): Result<"getUsersThatHaveRole"> {
  return impl().getUsersThatHaveRole({ tenantId, role, userContext });
}

/**
 * Creates the role (app-wide) if it is new and adds the permissions it lacks.
 *
 * @example
 * ```ts
 * const { createdNewRole } = await UserRoles.createNewRoleOrAddPermissions("editor", ["posts:read", "posts:write"]);
 * // Calling it again with more permissions adds the missing ones.
 * ```
 */
export function createNewRoleOrAddPermissions(
  role: string,
  permissions: string[],
  userContext: UserContext = {},
): Result<"createNewRoleOrAddPermissions"> {
  return impl().createNewRoleOrAddPermissions({ role, permissions, userContext });
}

/**
 * The role's permissions.
 *
 * @example
 * ```ts
 * const result = await UserRoles.getPermissionsForRole("editor");
 * if (result.status === "OK") console.log(result.permissions); // ["posts:read", "posts:write"]
 * ```
 */
export function getPermissionsForRole(role: string, userContext: UserContext = {}): Result<"getPermissionsForRole"> {
  return impl().getPermissionsForRole({ role, userContext });
}

/**
 * Removes the permissions from the role.
 *
 * @example
 * ```ts
 * await UserRoles.removePermissionsFromRole("editor", ["posts:write"]);
 * ```
 */
export function removePermissionsFromRole(
  role: string,
  permissions: string[],
  userContext: UserContext = {},
): Result<"removePermissionsFromRole"> {
  return impl().removePermissionsFromRole({ role, permissions, userContext });
}

/**
 * The roles that grant the permission.
 *
 * @example
 * ```ts
 * const { roles } = await UserRoles.getRolesThatHavePermission("posts:write");
 * ```
 */
export function getRolesThatHavePermission(
  permission: string,
  userContext: UserContext = {},
): Result<"getRolesThatHavePermission"> {
  return impl().getRolesThatHavePermission({ permission, userContext });
}

/**
 * Deletes the role, its permissions, and takes it from every user.
 *
 * @example
 * ```ts
 * const { didRoleExist } = await UserRoles.deleteRole("editor"); // also taken from every user
 * ```
 */
export function deleteRole(role: string, userContext: UserContext = {}): Result<"deleteRole"> {
  return impl().deleteRole({ role, userContext });
}

/**
 * Every role of the app.
 *
 * @example
 * ```ts
 * const { roles } = await UserRoles.getAllRoles();
 * ```
 */
export function getAllRoles(userContext: UserContext = {}): Result<"getAllRoles"> {
  return impl().getAllRoles({ userContext });
}

const UserRoles = {
  init,
  addRoleToUser,
  removeUserRole,
  getRolesForUser,
  getUsersThatHaveRole,
  createNewRoleOrAddPermissions,
  getPermissionsForRole,
  removePermissionsFromRole,
  getRolesThatHavePermission,
  deleteRole,
  getAllRoles,
  UserRoleClaim,
  PermissionClaim,
  Error: UserRolesError,
};

export default UserRoles;
