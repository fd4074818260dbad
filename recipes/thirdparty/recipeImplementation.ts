import crypto from "node:crypto";
import { isUniqueViolation } from "../../lib/db/columns";
import type { Database } from "../../lib/db/database";
import { normaliseEmail } from "../../lib/email/address";
import type { Knex } from "knex";
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

  // One attempt: find the user by provider identity (locked) and update their email, or create them. Undefined
  // when another request created the same user first (the unique index refused this insert).
  const upsert = (row: UserRow) =>
    db.run(async (knex) => {
      try {
        return await knex.transaction((trx) => upsertIn(trx, row));
      } catch (err) {
        if (isUniqueViolation(err)) return undefined;
        throw err;
      }
    });

  const upsertIn = async (trx: Knex.Transaction, row: UserRow) => {
      const existing = await db.forUpdate(trx(users).where({ third_party_id: row.third_party_id, third_party_user_id: row.third_party_user_id })).first<UserRow | undefined>();
      if (existing === undefined) {
        await trx(users).insert(row);
        return { createdNewUser: true, row };
      }
      const verified = Boolean(existing.email_verified);
      const changed = existing.email !== row.email || verified !== Boolean(row.email_verified);
      if (changed) await trx(users).where({ user_id: existing.user_id }).update({ email: row.email, email_verified: row.email_verified });
      return { createdNewUser: false, row: { ...existing, email: row.email, email_verified: row.email_verified } };
  };

  return {
    async signInUp({ thirdPartyId, thirdPartyUserId, email, isVerified, userContext }) {
      const normalised = typeof email === "string" ? normaliseEmail(email) : "";
      if (normalised === "" || normalised.length > MAX_EMAIL_LENGTH) throw badInput("The email is missing or longer than 254 characters");
      if (typeof thirdPartyUserId !== "string" || thirdPartyUserId === "" || thirdPartyUserId.length > MAX_USER_ID_LENGTH) {
        throw badInput("thirdPartyUserId must be 1 to 255 characters");
      }
      // MySQL/MariaDB compare with trailing spaces ignored (PAD SPACE), so "alice " would sign in as "alice".
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
      if (typeof userId !== "string") return undefined;
      const row = await db.run((knex) => knex(users).where({ user_id: userId }).first<UserRow | undefined>());
      return row === undefined ? undefined : toUser(row);
    },

    async getUsersByEmail({ email }) {
      if (typeof email !== "string") return [];
      const rows = await db.run((knex) => knex(users).where({ email: normaliseEmail(email) }).orderBy("time_joined").select<UserRow[]>());
      return rows.map(toUser);
    },

    async getUserByThirdPartyInfo({ thirdPartyId, thirdPartyUserId }) {
      if (typeof thirdPartyId !== "string" || typeof thirdPartyUserId !== "string") return undefined;
      const row = await db.run((knex) => knex(users).where({ third_party_id: thirdPartyId, third_party_user_id: thirdPartyUserId }).first<UserRow | undefined>());
      // Byte for byte: MySQL/MariaDB would match "alice " to "alice".
      return row === undefined || row.third_party_user_id !== thirdPartyUserId ? undefined : toUser(row);
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
