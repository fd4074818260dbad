import type { Capabilities } from "./capabilities";
import { EmailVerifiers, type LoginMethod, type LoginMethodRecord, LoginMethods } from "./seams";
import type { UserContext } from "./types";

/** A user as `Latchkey.getUser` returns it: SuperTokens' shape, ready for account linking (one login method today). */
export interface User {
  id: string;
  /** Milliseconds since the epoch: the earliest of its login methods. */
  timeJoined: number;
  /** False until account linking links login methods to a primary user. */
  isPrimaryUser: boolean;
  tenantIds: string[];
  emails: string[];
  phoneNumbers: string[];
  thirdParty: { id: string; userId: string }[];
  loginMethods: LoginMethod[];
}

/** The user with this id, from every login method recipe that knows them; undefined when none does. */
export async function findUser(
  capabilities: Capabilities,
  userId: string,
  userContext: UserContext,
): Promise<User | undefined> {
  const records: LoginMethodRecord[] = [];
  for (const provider of capabilities.all(LoginMethods)) {
    const record = await provider.getLoginMethod({ userId, userContext });
    if (record !== undefined) records.push(record);
  }
  if (records.length === 0) return undefined;
  return assemble(capabilities, userId, records, userContext);
}

/**
 * The user a sign-in/up route answers with (FDI 3.x): the core's assembly; when no login method recipe knows the id
 * (a user an API override made up), one built from the route's own login method.
 */
export async function userForResponse(
  capabilities: Capabilities,
  loginMethod: LoginMethodRecord,
  userContext: UserContext,
): Promise<User> {
  return (
    (await findUser(capabilities, loginMethod.recipeUserId, userContext)) ??
    (await assemble(capabilities, loginMethod.recipeUserId, [loginMethod], userContext))
  );
}

/** A user from its login methods (`verified` filled in by the email verification recipe when it is listed). */
export async function assemble(
  capabilities: Capabilities,
  userId: string,
  records: LoginMethodRecord[],
  userContext: UserContext,
): Promise<User> {
  const loginMethods = await Promise.all(records.map((record) => withVerified(capabilities, record, userContext)));
  loginMethods.sort((a, b) => a.timeJoined - b.timeJoined);
  return {
    id: userId,
    timeJoined: loginMethods[0]?.timeJoined ?? 0,
    isPrimaryUser: false,
    tenantIds: unique(loginMethods.flatMap((m) => m.tenantIds)),
    emails: unique(loginMethods.flatMap((m) => (m.email === undefined ? [] : [m.email]))),
    phoneNumbers: unique(loginMethods.flatMap((m) => (m.phoneNumber === undefined ? [] : [m.phoneNumber]))),
    thirdParty: loginMethods.flatMap((m) => (m.thirdParty === undefined ? [] : [m.thirdParty])),
    loginMethods,
  };
}

// The email verification recipe, when listed, is the authority on `verified`; without it a recipe's own word stands.
async function withVerified(
  capabilities: Capabilities,
  record: LoginMethodRecord,
  userContext: UserContext,
): Promise<LoginMethod> {
  const verifier = capabilities.optional(EmailVerifiers);
  if (verifier === undefined || record.email === undefined) return { ...record, verified: record.verified ?? false };
  const tenantId = record.tenantIds[0] ?? "public";
  return {
    ...record,
    verified: await verifier.isEmailVerified({
      userId: record.recipeUserId,
      email: record.email,
      tenantId,
      userContext,
    }),
  };
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
