import crypto from "node:crypto";
import type { Capabilities } from "../../lib/capabilities";
import { isStorableText } from "../../lib/db/text";
import { emailProblem, normaliseEmail } from "../../lib/email/address";
import { badInput, configError, LatchkeyError } from "../../lib/error";
import { EmailVerifiers, Tenants } from "../../lib/seams";
import { sha256 } from "../../lib/secrets";
import { resolveProviderConfig } from "./providers/config";
import { PRESETS } from "./providers/presets";
import { makeProvider } from "./providers/provider";
import { providersOfTenant } from "./providers/tenantProviders";
import type { StoredUser, ThirdPartyStore } from "./store";
import type { RecipeInterface, ThirdPartyUser, TypeNormalisedInput, TypeProvider } from "./types";

const MAX_USER_ID_LENGTH = 255;
// Provider instances kept (static ones, and tenants' stored ones); past this many the cache starts over.
const MAX_CACHED_PROVIDERS = 1000;

/** The user as the recipe's functions return it. */
export const toThirdPartyUser = (user: StoredUser): ThirdPartyUser => ({
  id: user.userId,
  email: user.email,
  timeJoined: user.timeJoined,
  thirdParty: { id: user.thirdPartyId, userId: user.thirdPartyUserId },
});

/** The original implementation of the thirdparty recipe's functions, over its store. */
export function makeRecipeImplementation(
  store: ThirdPartyStore,
  config: TypeNormalisedInput,
  capabilities: Capabilities,
): RecipeInterface {
  const providers = new Map<string, TypeProvider>();

  // One attempt: find the user by provider identity and update their email, or create them. Undefined when another
  // request created the same user first (the unique index refused this insert). No locking read: on MySQL, two
  // SELECT ... FOR UPDATE of a row that does not exist yet take gap locks and their inserts deadlock.
  const upsert = async (user: StoredUser): Promise<{ createdNewUser: boolean; user: StoredUser } | undefined> => {
    const existing = await store.findUserByProviderIdentity(user.tenantId, user.thirdPartyId, user.thirdPartyUserId);
    if (existing === undefined) return (await store.insertUser(user)) ? { createdNewUser: true, user } : undefined;
    // One statement: two sign-ins at once with different emails end with the last one's (nothing to merge).
    if (existing.email !== user.email || existing.emailVerified !== user.emailVerified)
      await store.updateEmail(existing.userId, user.email, user.emailVerified);
    return { createdNewUser: false, user: { ...existing, email: user.email, emailVerified: user.emailVerified } };
  };

  return {
    async signInUp({ thirdPartyId, thirdPartyUserId, email, isVerified, tenantId, userContext }) {
      const normalised = typeof email === "string" ? normaliseEmail(email) : "";
      if (normalised === "" || emailProblem(normalised) !== undefined || !isStorableText(normalised))
        throw badInput("The email is missing, invalid or longer than 254 characters");
      // Checked here too: manuallyCreateOrUpdateUser takes any id, and the column holds 64 characters.
      if (typeof thirdPartyId !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(thirdPartyId))
        throw badInput("thirdPartyId must be 1 to 64 letters, digits, - or _");
      if (
        typeof thirdPartyUserId !== "string" ||
        thirdPartyUserId === "" ||
        thirdPartyUserId.length > MAX_USER_ID_LENGTH ||
        !isStorableText(thirdPartyUserId)
      ) {
        throw badInput("thirdPartyUserId must be 1 to 255 characters of text");
      }
      // On a MySQL-family server without a NO PAD binary collation, "alice " would compare equal to "alice".
      if (/\s$/.test(thirdPartyUserId)) throw badInput("thirdPartyUserId must not end with white space");
      if (!isTenantId(tenantId)) throw badInput("tenantId must be 1 to 64 letters, digits, - or _");
      const candidate: StoredUser = {
        userId: crypto.randomUUID(),
        tenantId,
        thirdPartyId,
        thirdPartyUserId,
        email: normalised,
        emailVerified: isVerified === true,
        timeJoined: Date.now(),
      };
      // Two first sign-ins of one provider user may race: the unique index lets one in; the other then finds it.
      const outcome = (await upsert(candidate)) ?? (await upsert(candidate));
      if (outcome === undefined)
        throw new LatchkeyError("GENERAL_ERROR", "Could not store the third-party user; please try again");
      const user = toThirdPartyUser(outcome.user);
      // When the provider vouches for the email and email verification is in use, the user need not verify it again.
      if (isVerified)
        await capabilities
          .optional(EmailVerifiers)
          ?.markEmailVerified({ userId: user.id, email: user.email, tenantId, userContext });
      return { status: "OK", createdNewUser: outcome.createdNewUser, user };
    },

    async getUserById({ userId }) {
      if (typeof userId !== "string" || !isStorableText(userId)) return undefined;
      const found = await store.findUserById(userId);
      return found === undefined ? undefined : toThirdPartyUser(found);
    },

    async getUsersByEmail({ email, tenantId }) {
      // An email no user could have been stored with is not looked up (PostgreSQL would fail the query on NUL).
      if (typeof email !== "string" || emailProblem(email) !== undefined || !isTenantId(tenantId)) return [];
      return (await store.findUsersByEmail(tenantId, normaliseEmail(email))).map(toThirdPartyUser);
    },

    async getUserByThirdPartyInfo({ thirdPartyId, thirdPartyUserId, tenantId }) {
      if (
        typeof thirdPartyId !== "string" ||
        typeof thirdPartyUserId !== "string" ||
        !isStorableText(thirdPartyId + thirdPartyUserId) ||
        !isTenantId(tenantId)
      )
        return undefined;
      const found = await store.findUserByProviderIdentity(tenantId, thirdPartyId, thirdPartyUserId);
      return found === undefined ? undefined : toThirdPartyUser(found);
    },

    async getProvider({ thirdPartyId, clientType, tenantId, userContext }) {
      const tenants = capabilities.optional(Tenants);
      const inputs =
        tenants === undefined
          ? config.providers
          : await providersOfTenant(config.providers, tenants, tenantId, userContext);
      const input = inputs.find((p) => p.config.thirdPartyId === thirdPartyId);
      const resolved = input === undefined ? undefined : resolveProviderConfig(input, clientType);
      if (input === undefined || resolved === undefined) return undefined;
      // One instance per distinct config (discovery and keys are cached in it); a tenant's changed config is a new key.
      const key = sha256(JSON.stringify([thirdPartyId, clientType ?? "", input.config]));
      const cached = providers.get(key);
      if (cached !== undefined) return cached;
      const original = makeProvider(resolved, PRESETS[thirdPartyId]);
      const provider =
        input.override === undefined ? original : checkedOverride(thirdPartyId, input.override(original));
      if (providers.size >= MAX_CACHED_PROVIDERS) providers.clear();
      providers.set(key, provider);
      return provider;
    },
  };
}

// Tenant ids are short identifiers (the column holds 64 characters); anything else names no tenant.
function isTenantId(tenantId: unknown): tenantId is string {
  return typeof tenantId === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(tenantId);
}

function checkedOverride(thirdPartyId: string, provider: unknown): TypeProvider {
  const p = provider as Partial<TypeProvider> | null;
  const functions = ["getAuthorisationRedirectURL", "exchangeAuthCodeForOAuthTokens", "getUserInfo"] as const;
  if (typeof p !== "object" || p === null || functions.some((f) => typeof p[f] !== "function")) {
    throw configError(
      `ThirdParty provider "${thirdPartyId}" override`,
      "must return a provider (spread the original into it)",
    );
  }
  return p as TypeProvider;
}
