import { isStorableText } from "../../lib/db/text";
import { TENANT_ID_RULE, isTenantId } from "../../lib/tenant";
import { UserRolesError } from "./error";
import type { UserRolesStore } from "./store";
import type { RecipeInterface } from "./types";

/** The longest role or permission name stored. */
export const MAX_NAME_LENGTH = 255;
const NAME_RULE = `must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, valid Unicode without NUL`;
const USER_ID_RULE = "must be a non-empty string of at most 128 characters, valid Unicode without NUL";

function name(field: string, value: unknown): string {
  if (typeof value !== "string" || value === "" || value.length > MAX_NAME_LENGTH || !isStorableText(value)) {
    throw UserRolesError.badInput(field, NAME_RULE);
  }
  return value;
}

function names(field: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw UserRolesError.badInput(field, "must be an array of strings");
  return value.map((entry: unknown, i) => name(`${field}[${i}]`, entry));
}

// As in SuperTokens, any user id may hold roles (an id of the app's own, or one no recipe knows): only its form is checked.
function userIdOf(value: unknown): string {
  if (typeof value !== "string" || value === "" || value.length > 128 || !isStorableText(value)) {
    throw UserRolesError.badInput("userId", USER_ID_RULE);
  }
  return value;
}

function tenantOf(value: unknown): string {
  if (!isTenantId(value)) throw UserRolesError.badInput("tenantId", TENANT_ID_RULE.replace(/^tenantId /, ""));
  return value;
}

/** The original implementation of the userroles recipe's functions: input checks, then the store. */
export function makeRecipeImplementation(store: UserRolesStore): RecipeInterface {
  return {
    async addRoleToUser({ userId, role, tenantId }) {
      const outcome = await store.assign(tenantOf(tenantId), userIdOf(userId), name("role", role));
      if (outcome === "unknown-role") return { status: "UNKNOWN_ROLE_ERROR" };
      return { status: "OK", didUserAlreadyHaveRole: outcome === "already" };
    },
    async removeUserRole({ userId, role, tenantId }) {
      const outcome = await store.unassign(tenantOf(tenantId), userIdOf(userId), name("role", role));
      if (outcome === "unknown-role") return { status: "UNKNOWN_ROLE_ERROR" };
      return { status: "OK", didUserHaveRole: outcome === "removed" };
    },
    async getRolesForUser({ userId, tenantId }) {
      return { status: "OK", roles: await store.rolesOfUser(tenantOf(tenantId), userIdOf(userId)) };
    },
    async getUsersThatHaveRole({ role, tenantId }) {
      const tenant = tenantOf(tenantId);
      const checked = name("role", role);
      if (!(await store.roleExists(checked))) return { status: "UNKNOWN_ROLE_ERROR" };
      return { status: "OK", users: await store.usersWithRole(tenant, checked) };
    },
    async createNewRoleOrAddPermissions({ role, permissions }) {
      const createdNewRole = await store.createRoleOrAddPermissions(
        name("role", role),
        names("permissions", permissions),
      );
      return { status: "OK", createdNewRole };
    },
    async getPermissionsForRole({ role }) {
      const permissions = await store.permissionsOfRole(name("role", role));
      return permissions === undefined ? { status: "UNKNOWN_ROLE_ERROR" } : { status: "OK", permissions };
    },
    async removePermissionsFromRole({ role, permissions }) {
      const found = await store.removePermissions(name("role", role), names("permissions", permissions));
      return { status: found ? "OK" : "UNKNOWN_ROLE_ERROR" };
    },
    async getRolesThatHavePermission({ permission }) {
      return { status: "OK", roles: await store.rolesWithPermission(name("permission", permission)) };
    },
    async deleteRole({ role }) {
      return { status: "OK", didRoleExist: await store.deleteRole(name("role", role)) };
    },
    async getAllRoles() {
      return { status: "OK", roles: await store.allRoles() };
    },
  };
}
