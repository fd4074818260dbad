import crypto from "node:crypto";
import { isUniqueViolation } from "../../lib/db/columns";
import type { Database } from "../../lib/db/database";
import { normaliseEmail } from "../../lib/email/address";
import { isStorableText } from "../../lib/db/text";
import { badInput, configError, LatchkeyError } from "../../lib/error";
import { Latchkey } from "../../lib/latchkey";
import type { UserContext } from "../../lib/types";
import EmailVerification from "../emailverification/index";
import { resolveProviderConfig } from "./providers/config";
import { PRESETS } from "./providers/presets";
import { makeProvider } from "./providers/provider";
import type { RecipeInterface, ThirdPartyUser, TypeNormalisedInput, TypeProvider } from "./types";

interface UserRow {
  user_id: string;
  third_party_id: string;
  third_party_user_id: string;
  email: string;
  email_verified: boolean | number;
  time_joined: number | string;
}

const MAX_EMAIL_LENGTH = 254;
const MAX_USER_ID_LENGTH = 255;

const toUser = (row: UserRow): ThirdPartyUser => ({
  id: row.user_id,
  email: row.email,
  timeJoined: Number(row.time_joined),
  thirdParty: { id: row.third_party_id, userId: row.third_party_user_id },
});

/** The original implementation of the thirdparty recipe's functions. */
export function makeRecipeImplementation(db: Database, config: TypeNormalisedInput): RecipeInterface {
  const users = db.table("thirdparty_users");
  const providers = new Map<string, TypeProvider>();

  // One attempt: find the user by provider identity and update their email, or create them. Undefined when another
  // request created the same user first (the unique index refused this insert). No locking read: on MySQL, two
  // SELECT ... FOR UPDATE of a row that does not exist yet take gap locks and their inserts deadlock.
  const upsert = (row: UserRow) =>
    db.run(async (knex) => {
      const existing = await knex(users).where({ third_party_id: row.third_party_id, third_party_user_id: row.third_party_user_id }).first<UserRow | undefined>();
      if (existing === undefined) {
        try {
          await knex(users).insert(row);
          return { createdNewUser: true, row };
        } catch (err) {
          if (isUniqueViolation(err)) return undefined;
          throw err;
        }
      }
      const verified = Boolean(existing.email_verified);
      // One statement: two sign-ins at once with different emails end with the last one's (nothing to merge).
      if (existing.email !== row.email || verified !== Boolean(row.email_verified)) {
        await knex(users).where({ user_id: existing.user_id }).update({ email: row.email, email_verified: row.email_verified });
      }
      return { createdNewUser: false, row: { ...existing, email: row.email, email_verified: row.email_verified } };
    });

  return {
    async signInUp({ thirdPartyId, thirdPartyUserId, email, isVerified, userContext }) {
      const normalised = typeof email === "string" ? normaliseEmail(email) : "";
      if (normalised === "" || normalised.length > MAX_EMAIL_LENGTH || !isStorableText(normalised)) throw badInput("The email is missing, invalid or longer than 254 characters");
      // Checked here too: manuallyCreateOrUpdateUser takes any id, and the column holds 64 characters.
      if (typeof thirdPartyId !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(thirdPartyId)) throw badInput("thirdPartyId must be 1 to 64 letters, digits, - or _");
      if (typeof thirdPartyUserId !== "string" || thirdPartyUserId === "" || thirdPartyUserId.length > MAX_USER_ID_LENGTH || !isStorableText(thirdPartyUserId)) {
        throw badInput("thirdPartyUserId must be 1 to 255 characters of text");
      }
      // On a MySQL-family server without a NO PAD binary collation, "alice " would compare equal to "alice".
      if (/\s$/.test(thirdPartyUserId)) throw badInput("thirdPartyUserId must not end with white space");
      const row: UserRow = {
        user_id: crypto.randomUUID(),
        third_party_id: thirdPartyId,
        third_party_user_id: thirdPartyUserId,
        email: normalised,
        email_verified: isVerified,
        time_joined: Date.now(),
      };
      // Two first sign-ins of one provider user may race: the unique index lets one in; the other then finds it.
      const outcome = (await upsert(row)) ?? (await upsert(row));
      if (outcome === undefined) throw new LatchkeyError("GENERAL_ERROR", "Could not store the third-party user; please try again");
      const user = toUser(outcome.row);
      if (isVerified) await markEmailVerified(user.id, user.email, userContext);
      return { status: "OK", createdNewUser: outcome.createdNewUser, user };
    },

    async getUserById({ userId }) {
      if (typeof userId !== "string" || !isStorableText(userId)) return undefined;
      const row = await db.run((knex) => knex(users).where({ user_id: userId }).first<UserRow | undefined>());
      return row === undefined ? undefined : toUser(row);
    },

    async getUsersByEmail({ email }) {
      // An email no user could have been stored with is not looked up (PostgreSQL would fail the query on NUL).
      if (typeof email !== "string" || email.length > MAX_EMAIL_LENGTH || !isStorableText(email)) return [];
      const rows = await db.run((knex) => knex(users).where({ email: normaliseEmail(email) }).orderBy("time_joined").select<UserRow[]>());
      return rows.map(toUser);
    },

    async getUserByThirdPartyInfo({ thirdPartyId, thirdPartyUserId }) {
      if (typeof thirdPartyId !== "string" || typeof thirdPartyUserId !== "string" || !isStorableText(thirdPartyId + thirdPartyUserId)) return undefined;
      const row = await db.run((knex) => knex(users).where({ third_party_id: thirdPartyId, third_party_user_id: thirdPartyUserId }).first<UserRow | undefined>());
      return row === undefined ? undefined : toUser(row);
    },

    getProvider({ thirdPartyId, clientType }) {
      const key = `${thirdPartyId}\u0000${clientType ?? ""}`;
      const cached = providers.get(key);
      if (cached !== undefined) return Promise.resolve(cached);
      const input = config.providers.find((p) => p.config.thirdPartyId === thirdPartyId);
      const resolved = input === undefined ? undefined : resolveProviderConfig(input, clientType);
      if (input === undefined || resolved === undefined) return Promise.resolve(undefined);
      const original = makeProvider(resolved, PRESETS[thirdPartyId]);
      const provider = input.override === undefined ? original : checkedOverride(thirdPartyId, input.override(original));
      providers.set(key, provider);
      return Promise.resolve(provider);
    },
  };

  // When the provider vouches for the email and email verification is in use, the user need not verify it again.
  async function markEmailVerified(userId: string, email: string, userContext: UserContext): Promise<void> {
    if (!Latchkey.getInstanceOrThrow().recipes.some((r) => r.recipeId === "emailverification")) return;
    // Sign-ins of one user at once each verify with a token of their own: EmailVerification lets one verify and
    // refuses the others' tokens as used, and the email is verified either way.
    const created = await EmailVerification.createEmailVerificationToken(userId, email, userContext);
    if (created.status === "OK") await EmailVerification.verifyEmailUsingToken(created.token, userContext);
  }
}

function checkedOverride(thirdPartyId: string, provider: unknown): TypeProvider {
  const p = provider as Partial<TypeProvider> | null;
  const functions = ["getAuthorisationRedirectURL", "exchangeAuthCodeForOAuthTokens", "getUserInfo"] as const;
  if (typeof p !== "object" || p === null || functions.some((f) => typeof p[f] !== "function")) {
    throw configError(`ThirdParty provider "${thirdPartyId}" override`, "must return a provider (spread the original into it)");
  }
  return p as TypeProvider;
}
