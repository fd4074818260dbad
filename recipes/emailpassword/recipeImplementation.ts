import crypto from "node:crypto";
import bcrypt from "bcrypt";
import { isUniqueViolation } from "../../lib/db/columns";
import { isStorableText } from "../../lib/db/text";
import type { Database } from "../../lib/db/database";
import { badInput } from "../../lib/error";
import type { EmailPasswordUser, RecipeInterface, TypeNormalisedInput } from "./types";
import { hardLimits, normaliseEmail } from "./validation";

interface UserRow {
  user_id: string;
  email: string;
  password_hash: string;
  time_joined: number | string;
}

const toUser = (row: UserRow): EmailPasswordUser => ({ id: row.user_id, email: row.email, timeJoined: Number(row.time_joined) });
const sha256 = (value: string): string => crypto.createHash("sha256").update(value).digest("hex");

/** The original implementation of the emailpassword recipe's functions. */
export function makeRecipeImplementation(db: Database, config: TypeNormalisedInput, self: () => RecipeInterface): RecipeInterface {
  const users = db.table("emailpassword_users");
  const tokens = db.table("emailpassword_reset_tokens");
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

  function checkPassword(password: string): void {
    const problem = hardLimits("password", password);
    if (problem !== undefined) throw badInput(problem);
  }

  return {
    async signUp({ email, password }) {
      checkPassword(password);
      const normalised = normaliseEmail(email);
      if (hardLimits("email", normalised) !== undefined) throw badInput("Email is invalid");
      const existing = await db.run((knex) => knex(users).where({ email: normalised }).first("user_id"));
      if (existing !== undefined) return { status: "EMAIL_ALREADY_EXISTS_ERROR" };
      const row: UserRow = {
        user_id: crypto.randomUUID(),
        email: normalised,
        password_hash: await bcrypt.hash(password, config.bcryptCost),
        time_joined: Date.now(),
      };
      // Two sign-ups racing for one email both pass the check above; the unique index lets exactly one in.
      const inserted = await db.run(async (knex) => {
        try {
          await knex(users).insert(row);
          return true;
        } catch (err) {
          if (isUniqueViolation(err)) return false;
          throw err;
        }
      });
      return inserted ? { status: "OK", user: toUser(row) } : { status: "EMAIL_ALREADY_EXISTS_ERROR" };
    },

    async signIn({ email, password, userContext }) {
      if (typeof password !== "string") throw badInput("Password must be a string");
      const user = await self().getUserByEmail({ email, userContext });
      let hash = user === undefined ? undefined : hashes.get(user);
      if (user !== undefined && hash === undefined) {
        const row = await db.run((knex) => knex(users).where({ user_id: user.id }).first<UserRow | undefined>("password_hash"));
        hash = row?.password_hash;
      }
      dummyHash ??= bcrypt.hash("latchkey-timing-equaliser", config.bcryptCost);
      const matches = await bcrypt.compare(password, hash ?? (await dummyHash));
      return user !== undefined && hash !== undefined && matches ? { status: "OK", user } : { status: "WRONG_CREDENTIALS_ERROR" };
    },

    async getUserById({ userId }) {
      if (typeof userId !== "string" || !isStorableText(userId)) return undefined;
      const row = await db.run((knex) => knex(users).where({ user_id: userId }).first<UserRow | undefined>());
      return row === undefined ? undefined : toUser(row);
    },

    async getUserByEmail({ email }) {
      // An email no user could have been stored with (NUL, unpaired surrogates, too long) is not looked up at all.
      if (typeof email !== "string" || hardLimits("email", normaliseEmail(email)) !== undefined) return undefined;
      const row = await db.run((knex) => knex(users).where({ email: normaliseEmail(email) }).first<UserRow | undefined>());
      return row === undefined ? undefined : remember(row);
    },

    async createResetPasswordToken({ userId, userContext }) {
      const user = await self().getUserById({ userId, userContext });
      if (user === undefined) return { status: "UNKNOWN_USER_ID_ERROR" };
      const token = crypto.randomBytes(32).toString("base64url");
      const now = Date.now();
      await db.run(async (knex) => {
        await knex(tokens).insert({ token_hash: sha256(token), user_id: user.id, expires_at: now + config.passwordResetTokenValidityMs });
        await knex(tokens).where({ user_id: user.id }).andWhere("expires_at", "<=", now).del();
      });
      return { status: "OK", token };
    },

    async resetPasswordUsingToken({ token, newPassword }) {
      if (typeof token !== "string" || token === "") return { status: "RESET_PASSWORD_INVALID_TOKEN_ERROR" };
      checkPassword(newPassword);
      // Hash first: bcrypt is slow and must not hold a transaction open.
      const passwordHash = await bcrypt.hash(newPassword, config.bcryptCost);
      const tokenHash = sha256(token);
      const userId = await db.transaction(async (trx) => {
        const row = await db.forUpdate(trx(tokens).where({ token_hash: tokenHash })).first<{ user_id: string; expires_at: number | string } | undefined>();
        if (row === undefined) return undefined;
        // Single use: consuming it (and the user's other reset tokens) commits with the password change or not at all.
        await trx(tokens).where({ user_id: row.user_id }).del();
        if (Number(row.expires_at) <= Date.now()) return undefined;
        const updated = await trx(users).where({ user_id: row.user_id }).update({ password_hash: passwordHash });
        return updated === 1 ? row.user_id : undefined;
      });
      return userId === undefined ? { status: "RESET_PASSWORD_INVALID_TOKEN_ERROR" } : { status: "OK", userId };
    },

    async updateEmailOrPassword({ userId, email, password }) {
      const changes: Partial<UserRow> = {};
      if (email !== undefined) {
        changes.email = normaliseEmail(email);
        if (hardLimits("email", changes.email) !== undefined) throw badInput("Email is invalid");
      }
      if (password !== undefined) {
        checkPassword(password);
        changes.password_hash = await bcrypt.hash(password, config.bcryptCost);
      }
      const outcome = await db.run(async (knex) => {
        try {
          const count = Object.keys(changes).length === 0
            ? (await knex(users).where({ user_id: userId }).first("user_id")) === undefined ? 0 : 1
            : await knex(users).where({ user_id: userId }).update(changes);
          return count === 0 ? "UNKNOWN_USER_ID_ERROR" : "OK";
        } catch (err) {
          if (isUniqueViolation(err)) return "EMAIL_ALREADY_EXISTS_ERROR";
          throw err;
        }
      });
      return { status: outcome };
    },
  };
}
