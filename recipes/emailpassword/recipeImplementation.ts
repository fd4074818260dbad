import crypto from "node:crypto";
import bcrypt from "bcrypt";
import { isStorableText } from "../../lib/db/text";
import { randomSecret, sha256 } from "../../lib/secrets";
import { isTenantId, TENANT_ID_RULE } from "../../lib/tenant";
import { EmailPasswordError } from "./error";
import type { EmailPasswordStore, UserChanges, UserRow } from "./store";
import type { EmailPasswordUser, RecipeInterface, TypeNormalisedInput } from "./types";
import { hardLimits, normaliseEmail } from "./validation";

const toUser = (row: UserRow): EmailPasswordUser => ({
  id: row.user_id,
  email: row.email,
  timeJoined: Number(row.time_joined),
});

/** The original implementation of the emailpassword recipe's functions, over its store. */
export function makeRecipeImplementation(
  store: EmailPasswordStore,
  config: TypeNormalisedInput,
  self: () => RecipeInterface,
): RecipeInterface {
  // A hash to compare against when the email is unknown, so a wrong email costs what a wrong password costs.
  let dummyHash: Promise<string> | undefined;
  // The password hash of a user object this implementation returned, so signIn needs no second query when
  // getUserByEmail is not overridden (or the override passes the original's object on).
  const hashes = new WeakMap<EmailPasswordUser, string>();
  const remember = (row: UserRow): EmailPasswordUser => {
    const user = toUser(row);
    hashes.set(user, row.password_hash);
    return user;
  };

  // Before any query: a tenant id no column can hold is the caller's mistake (a 400), not a database error (a 500).
  function checkTenant(tenantId: unknown): void {
    if (!isTenantId(tenantId)) throw EmailPasswordError.badInput(TENANT_ID_RULE);
  }

  function checkPassword(password: string): void {
    const problem = hardLimits("password", password);
    if (problem !== undefined) throw EmailPasswordError.badInput(problem);
  }

  return {
    async signUp({ email, password, tenantId }) {
      checkTenant(tenantId);
      checkPassword(password);
      const normalised = normaliseEmail(email);
      if (hardLimits("email", normalised) !== undefined) throw EmailPasswordError.badInput("Email is invalid");
      if ((await store.findUserByEmail(tenantId, normalised)) !== undefined)
        return { status: "EMAIL_ALREADY_EXISTS_ERROR" };
      const row: UserRow = {
        user_id: crypto.randomUUID(),
        tenant_id: tenantId,
        email: normalised,
        password_hash: await bcrypt.hash(password, config.bcryptCost),
        time_joined: Date.now(),
      };
      // Two sign-ups racing for one email both pass the check above; the unique index lets exactly one in.
      return (await store.insertUser(row))
        ? { status: "OK", user: toUser(row) }
        : { status: "EMAIL_ALREADY_EXISTS_ERROR" };
    },

    async signIn({ email, password, tenantId, userContext }) {
      checkTenant(tenantId);
      if (typeof password !== "string") throw EmailPasswordError.badInput("Password must be a string");
      const user = await self().getUserByEmail({ email, tenantId, userContext });
      let hash = user === undefined ? undefined : hashes.get(user);
      if (user !== undefined && hash === undefined) hash = await store.findPasswordHash(user.id);
      dummyHash ??= bcrypt.hash("latchkey-timing-equaliser", config.bcryptCost);
      const matches = await bcrypt.compare(password, hash ?? (await dummyHash));
      return user !== undefined && hash !== undefined && matches
        ? { status: "OK", user }
        : { status: "WRONG_CREDENTIALS_ERROR" };
    },

    async getUserById({ userId }) {
      // User ids are unique across tenants: the id alone finds the user.
      if (typeof userId !== "string" || !isStorableText(userId)) return undefined;
      const row = await store.findUserById(userId);
      return row === undefined ? undefined : toUser(row);
    },

    async getUserByEmail({ email, tenantId }) {
      checkTenant(tenantId);
      // An email no user could have been stored with (NUL, unpaired surrogates, too long) is not looked up at all.
      if (typeof email !== "string" || hardLimits("email", normaliseEmail(email)) !== undefined) return undefined;
      const row = await store.findUserByEmail(tenantId, normaliseEmail(email));
      return row === undefined ? undefined : remember(row);
    },

    async createResetPasswordToken({ userId, email, tenantId, userContext }) {
      checkTenant(tenantId);
      const user = await self().getUserById({ userId, tenantId, userContext });
      if (user === undefined) return { status: "UNKNOWN_USER_ID_ERROR" };
      // Ids are unique across tenants, so getUserById finds a user of any tenant; a token for another tenant than
      // the user's would be a reset link of that tenant setting this user's password. As SuperTokens: unknown there.
      if (!(await store.isMember(tenantId, user.id))) return { status: "UNKNOWN_USER_ID_ERROR" };
      // The token is for the address it is sent to (as SuperTokens stores it): a caller that names one the user no
      // longer has (it changed since the caller looked) gets no token, as for a user without that email.
      if (email !== undefined && normaliseEmail(email) !== user.email) return { status: "UNKNOWN_USER_ID_ERROR" };
      const token = randomSecret();
      const now = Date.now();
      await store.insertResetToken({
        tokenHash: sha256(token),
        userId: user.id,
        tenantId,
        email: user.email,
        expiresAt: now + config.passwordResetTokenValidityMs,
        now,
      });
      return { status: "OK", token };
    },

    async resetPasswordUsingToken({ token, newPassword, tenantId }) {
      checkTenant(tenantId);
      if (typeof token !== "string" || token === "") return { status: "RESET_PASSWORD_INVALID_TOKEN_ERROR" };
      checkPassword(newPassword);
      // Hash first: bcrypt is slow and must not hold a transaction open.
      const passwordHash = await bcrypt.hash(newPassword, config.bcryptCost);
      const userId = await store.consumeResetTokenAndSetPassword({
        tokenHash: sha256(token),
        tenantId,
        passwordHash,
        now: Date.now,
      });
      return userId === undefined ? { status: "RESET_PASSWORD_INVALID_TOKEN_ERROR" } : { status: "OK", userId };
    },

    async updateEmailOrPassword({ userId, email, password }) {
      const changes: UserChanges = {};
      if (email !== undefined) {
        changes.email = normaliseEmail(email);
        if (hardLimits("email", changes.email) !== undefined) throw EmailPasswordError.badInput("Email is invalid");
      }
      if (password !== undefined) {
        checkPassword(password);
        changes.password_hash = await bcrypt.hash(password, config.bcryptCost);
      }
      return { status: await store.updateUser(userId, changes) };
    },
  };
}
