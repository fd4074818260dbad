import type { OverrideInput } from "../../lib/override";
import type { UserContext } from "../../lib/types";

/** The argument of `UserRoles.init()`. */
export interface TypeInput {
  /** Leave the user's roles out of new sessions' access tokens (`st-role`); default false. */
  skipAddingRolesToAccessToken?: boolean;
  /** Leave the user's permissions out of new sessions' access tokens (`st-perm`); default false. */
  skipAddingPermissionsToAccessToken?: boolean;
  override?: OverrideInput<RecipeInterface, APIInterface>;
}

/** TypeInput with its defaults filled in. */
export interface TypeNormalisedInput {
  skipAddingRolesToAccessToken: boolean;
  skipAddingPermissionsToAccessToken: boolean;
}

/** The answer of a function that names a role which does not exist. */
export type UnknownRoleError = { status: "UNKNOWN_ROLE_ERROR" };

/** The overridable functions, SuperTokens' names and results. Roles are app-wide; assignments are per tenant. */
export interface RecipeInterface {
  addRoleToUser(input: {
    userId: string;
    role: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; didUserAlreadyHaveRole: boolean } | UnknownRoleError>;
  removeUserRole(input: {
    userId: string;
    role: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; didUserHaveRole: boolean } | UnknownRoleError>;
  getRolesForUser(input: {
    userId: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; roles: string[] }>;
  getUsersThatHaveRole(input: {
    role: string;
    tenantId: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; users: string[] } | UnknownRoleError>;
  createNewRoleOrAddPermissions(input: {
    role: string;
    permissions: string[];
    userContext: UserContext;
  }): Promise<{ status: "OK"; createdNewRole: boolean }>;
  getPermissionsForRole(input: {
    role: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; permissions: string[] } | UnknownRoleError>;
  removePermissionsFromRole(input: {
    role: string;
    permissions: string[];
    userContext: UserContext;
  }): Promise<{ status: "OK" | "UNKNOWN_ROLE_ERROR" }>;
  getRolesThatHavePermission(input: {
    permission: string;
    userContext: UserContext;
  }): Promise<{ status: "OK"; roles: string[] }>;
  deleteRole(input: { role: string; userContext: UserContext }): Promise<{ status: "OK"; didRoleExist: boolean }>;
  getAllRoles(input: { userContext: UserContext }): Promise<{ status: "OK"; roles: string[] }>;
}

/** What each API is given (the recipe serves no route today, as in SuperTokens). */
export interface APIOptions {
  recipeImplementation: RecipeInterface;
  config: TypeNormalisedInput;
}

/** The overridable HTTP APIs: none; roles are managed from the backend (or a dashboard). */
export type APIInterface = Record<string, never>;
