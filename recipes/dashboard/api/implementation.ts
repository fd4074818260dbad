import type { Capabilities } from "../../../lib/capabilities";
import { Latchkey } from "../../../lib/latchkey";
import {
  EmailVerificationAdministrations,
  EmailVerifiers,
  MetadataAdministrations,
  RoleAdministrations,
  SessionInventories,
} from "../../../lib/seams";
import type { JSONObject, JSONValue } from "../../../lib/types";
import { countUsers, listUsers } from "../../../lib/userListing";
import { findUser, type User } from "../../../lib/users";
import { servePage } from "../page";
import type { APIInput, APIInterface } from "../types";

const UNKNOWN_USER = { status: "UNKNOWN_USER_ERROR" } as const;
const NOT_ENABLED = { status: "FEATURE_NOT_ENABLED_ERROR" } as const;

/** The original APIInterface: reads and changes through the seams, every change written to the audit log. */
export function makeAPIImplementation(capabilities: Capabilities): APIInterface {
  const record = (input: APIInput, action: string, target: string | null, detail: JSONObject = {}) =>
    input.options.recipeImplementation.recordAction({
      actor: input.access.actor,
      action,
      target,
      detail,
      userContext: input.userContext,
    });
  const user = (userId: string, input: APIInput) => findUser(capabilities, userId, input.userContext);

  return {
    pageGET: ({ options }) => Promise.resolve(servePage(options.res, options.apiBasePath)),

    infoGET: ({ access }) =>
      Promise.resolve({
        status: "OK",
        readOnly: access.readOnly,
        actor: access.actor,
        features: {
          roles: capabilities.optional(RoleAdministrations) !== undefined,
          metadata: capabilities.optional(MetadataAdministrations) !== undefined,
          emailVerification: capabilities.optional(EmailVerificationAdministrations) !== undefined,
          sessions: capabilities.optional(SessionInventories) !== undefined,
        },
      }),

    usersGET: async ({ order, limit, paginationToken, query, userContext }) => {
      const page = await listUsers(capabilities, order, {
        limit,
        userContext,
        ...(paginationToken === undefined ? {} : { paginationToken }),
        ...(query === undefined ? {} : { query }),
      });
      return {
        status: "OK",
        users: page.users.map(toJSON),
        ...(page.nextPaginationToken === undefined ? {} : { nextPaginationToken: page.nextPaginationToken }),
      };
    },

    userCountGET: async ({ userContext }) => ({
      status: "OK",
      count: await countUsers(capabilities, undefined, undefined, userContext),
    }),

    userGET: async (input) => {
      const found = await user(input.userId, input);
      if (found === undefined) return UNKNOWN_USER;
      const { userContext } = input;
      const sessions = capabilities.optional(SessionInventories);
      const roles = capabilities.optional(RoleAdministrations);
      const metadata = capabilities.optional(MetadataAdministrations);
      const rolesByTenant: JSONObject = {};
      if (roles !== undefined) {
        for (const tenantId of found.tenantIds) {
          rolesByTenant[tenantId] = await roles.getRolesForUser({ userId: found.id, tenantId, userContext });
        }
      }
      return {
        status: "OK",
        user: toJSON(found),
        sessions:
          sessions === undefined
            ? null
            : toJSONValue(await sessions.listSessionsOfUser({ userId: found.id, userContext })),
        roles: roles === undefined ? null : rolesByTenant,
        metadata: metadata === undefined ? null : await metadata.getMetadata({ userId: found.id, userContext }),
      };
    },

    userEmailVerifiedPOST: async (input) => {
      const verifier = capabilities.optional(EmailVerifiers);
      const admin = capabilities.optional(EmailVerificationAdministrations);
      if (verifier === undefined || admin === undefined) return NOT_ENABLED;
      const found = await user(input.userId, input);
      const method = found?.loginMethods.find((m) => m.email === input.email);
      if (found === undefined || method === undefined) return UNKNOWN_USER;
      const change = {
        userId: method.recipeUserId,
        email: input.email,
        tenantId: method.tenantIds[0] ?? "public",
        userContext: input.userContext,
      };
      await (input.verified ? verifier.markEmailVerified(change) : admin.unverifyEmail(change));
      await record(input, input.verified ? "email.verify" : "email.unverify", found.id, { email: input.email });
      return { status: "OK" };
    },

    userSessionRevokePOST: async (input) => {
      const sessions = capabilities.optional(SessionInventories);
      if (sessions === undefined) return NOT_ENABLED;
      const { userId, sessionHandle, userContext } = input;
      // Only a session of this user, so the audit log names the right target.
      const owned = (await sessions.listSessionsOfUser({ userId, userContext })).some(
        (s) => s.sessionHandle === sessionHandle,
      );
      if (!owned || !(await sessions.revokeSession({ sessionHandle, userContext }))) {
        return { status: "UNKNOWN_SESSION_ERROR" };
      }
      await record(input, "session.revoke", userId, { sessionHandle });
      return { status: "OK" };
    },

    userRoleAddPOST: async (input) => {
      const roles = capabilities.optional(RoleAdministrations);
      if (roles === undefined) return NOT_ENABLED;
      if ((await user(input.userId, input)) === undefined) return UNKNOWN_USER;
      const { userId, role, tenantId, userContext } = input;
      if (!(await roles.addRoleToUser({ userId, role, tenantId, userContext })))
        return { status: "UNKNOWN_ROLE_ERROR" };
      await record(input, "role.assign", userId, { role, tenantId });
      return { status: "OK" };
    },

    userRoleRemovePOST: async (input) => {
      const roles = capabilities.optional(RoleAdministrations);
      if (roles === undefined) return NOT_ENABLED;
      const { userId, role, tenantId, userContext } = input;
      if (!(await roles.removeRoleFromUser({ userId, role, tenantId, userContext }))) {
        return { status: "UNKNOWN_ROLE_ERROR" };
      }
      await record(input, "role.unassign", userId, { role, tenantId });
      return { status: "OK" };
    },

    userMetadataPOST: async (input) => {
      const metadata = capabilities.optional(MetadataAdministrations);
      if (metadata === undefined) return NOT_ENABLED;
      if ((await user(input.userId, input)) === undefined) return UNKNOWN_USER;
      const stored = await metadata.setMetadata({
        userId: input.userId,
        metadata: input.metadata,
        userContext: input.userContext,
      });
      await record(input, "metadata.replace", input.userId, { keys: Object.keys(stored) });
      return { status: "OK", metadata: stored };
    },

    userDeletePOST: async (input) => {
      const found = await user(input.userId, input);
      if (found === undefined) return UNKNOWN_USER;
      await Latchkey.getInstanceOrThrow().deleteUser(found.id, input.userContext);
      await record(input, "user.delete", found.id, { emails: found.emails, phoneNumbers: found.phoneNumbers });
      return { status: "OK" };
    },

    rolesGET: async ({ userContext }) => {
      const roles = capabilities.optional(RoleAdministrations);
      if (roles === undefined) return NOT_ENABLED;
      const all = await roles.getAllRoles({ userContext });
      const list: JSONValue[] = [];
      for (const role of all) {
        list.push({ role, permissions: (await roles.getPermissionsForRole({ role, userContext })) ?? [] });
      }
      return { status: "OK", roles: list };
    },

    roleCreatePOST: async (input) => {
      const roles = capabilities.optional(RoleAdministrations);
      if (roles === undefined) return NOT_ENABLED;
      const { role, permissions, userContext } = input;
      await roles.createRoleOrAddPermissions({ role, permissions, userContext });
      await record(input, "role.create", role, { permissions });
      return { status: "OK" };
    },

    roleDeletePOST: async (input) => {
      const roles = capabilities.optional(RoleAdministrations);
      if (roles === undefined) return NOT_ENABLED;
      if (!(await roles.deleteRole({ role: input.role, userContext: input.userContext }))) {
        return { status: "UNKNOWN_ROLE_ERROR" };
      }
      await record(input, "role.delete", input.role);
      return { status: "OK" };
    },

    auditGET: async ({ limit, paginationToken, options, userContext }) => {
      const page = await options.recipeImplementation.listAuditLog({
        limit,
        userContext,
        ...(paginationToken === undefined ? {} : { paginationToken }),
      });
      return { status: "OK", ...toJSONObject(page) };
    },
  };
}

function toJSON(user: User): JSONObject {
  return toJSONObject(user);
}

// Plain data built here (users, sessions, audit pages) is JSON already; the type system only needs telling.
function toJSONValue(value: unknown): JSONValue {
  return JSON.parse(JSON.stringify(value)) as JSONValue;
}

function toJSONObject(value: object): JSONObject {
  return toJSONValue(value) as JSONObject;
}
