import { CapabilityRegistry } from "../../lib/capabilities";
import fs from "node:fs";
import path from "node:path";
import { resolveConnection } from "../../lib/db/connection";
import { Database } from "../../lib/db/database";
import { normaliseAppInfo } from "../../lib/appInfo";
import type { APIHandled, RecipeListFunction } from "../../lib/recipeModule";
import { APP_INFO } from "./app";

const RECIPES_DIR = path.join(__dirname, "..", "..", "recipes");

// How each shipped recipe is initialised when the suite needs "every recipe". A recipe folder missing here makes
// allRecipeInits() throw, so a recipe added later cannot be left out of the suites that use it without anyone noticing.
// Emails go nowhere (an override that does nothing) so the suites print no links.
const UNREACHABLE_PROVIDER = {
  config: {
    thirdPartyId: "fuzz-idp",
    issuer: "http://127.0.0.1:9",
    requestTimeout: 200,
    clients: [{ clientId: "fuzz" }],
  },
};
/** The dashboard's keys in the suites that list every recipe. */
export const DASHBOARD_KEYS = { full: "fuzz-dashboard-key-0123456789", readOnly: "fuzz-dashboard-read-only-0123" };

const CONFIGS: Record<string, unknown> = {
  session: {},
  dashboard: { apiKey: DASHBOARD_KEYS.full, readOnlyApiKey: DASHBOARD_KEYS.readOnly },
  emailpassword: {
    bcryptCost: 4,
    emailDelivery: { override: (o: object) => ({ ...o, sendEmail: () => Promise.resolve() }) },
  },
  emailverification: {
    mode: "OPTIONAL",
    emailDelivery: { override: (o: object) => ({ ...o, sendEmail: () => Promise.resolve() }) },
  },
  passwordless: {
    contactMethod: "EMAIL_OR_PHONE",
    flowType: "USER_INPUT_CODE_AND_MAGIC_LINK",
    emailDelivery: { override: (o: object) => ({ ...o, sendEmail: () => Promise.resolve() }) },
    smsDelivery: { service: { sendSms: () => Promise.resolve() } },
  },
  // A provider nobody answers for (port 9, discard): a well-formed sign-in reaches it and gets GENERAL_ERROR fast.
  thirdparty: { signInAndUpFeature: { providers: [UNREACHABLE_PROVIDER] } },
  totp: { secretEncryptionKey: "fuzz-suite-totp-key-of-32-characters" },
  multifactorauth: {},
  thirdpartyemailpassword: {
    bcryptCost: 4,
    providers: [UNREACHABLE_PROVIDER],
    emailDelivery: { override: (o: object) => ({ ...o, sendEmail: () => Promise.resolve() }) },
  }, // No routes (as in SuperTokens); listed so the suites run with their claims in every session.
  usermetadata: {},
  // The fuzz suite adds tenant "acme" (email/password only); provider configs need the key.
  multitenancy: { secretEncryptionKey: "fuzz-suite-multitenancy-key-of-32-chars" },
  userroles: {},
};

/** The recipe folders under recipes/, in a stable order (session first: the others depend on it). */
export function recipeFolders(): string[] {
  const names = fs.readdirSync(RECIPES_DIR).filter((n) => fs.existsSync(path.join(RECIPES_DIR, n, "index.ts")));
  return names.sort((a, b) => (a === "session" ? -1 : b === "session" ? 1 : a.localeCompare(b)));
}

// Recipes that contain others and so cannot be listed beside them: each is fuzzed in a set of its own.
const COMPOSITES: Record<string, string[]> = { thirdpartyemailpassword: ["emailpassword", "thirdparty"] };

/**
 * The recipe lists that together cover every recipe folder: all the plain recipes in one, and each composite
 * recipe with every recipe it does not contain.
 */
export function recipeSets(): string[][] {
  const folders = recipeFolders();
  const plain = folders.filter((name) => COMPOSITES[name] === undefined);
  const composites = folders.filter((name) => COMPOSITES[name] !== undefined);
  return [
    plain,
    ...composites.map((name) =>
      folders.filter((f) => f === name || (COMPOSITES[f] === undefined && !(COMPOSITES[name] ?? []).includes(f))),
    ),
  ];
}

/** `init(config)` of the recipes of one set (default: the plain recipes); throws naming a recipe without a config. */
export function allRecipeInits(set: string[] = recipeSets()[0] ?? []): RecipeListFunction[] {
  return set.map((name) => {
    if (!(name in CONFIGS)) {
      throw new Error(
        `recipes/${name} has no test config: add one to CONFIGS in test/helpers/allRecipes.ts so the fuzz suite covers its routes`,
      );
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- recipes are found on disk, so loaded by name
    const mod = require(path.join(RECIPES_DIR, name, "index.ts")) as {
      default: { init(config: unknown): RecipeListFunction };
    };
    return mod.default.init(CONFIGS[name]);
  });
}

/** One route, with the id of the recipe that serves it. */
export interface RouteOfRecipe extends APIHandled {
  recipeId: string;
}

/**
 * Every route every recipe serves, read from the recipes themselves (getAPIsHandled) without initialising Latchkey,
 * so a test file can register one test per route when mocha loads it. No connection is opened.
 */
export function allRoutes(set?: string[]): RouteOfRecipe[] {
  const database = new Database(resolveConnection("sqlite::memory:"), "unused_");
  try {
    const appInfo = normaliseAppInfo(APP_INFO);
    // One registry, sealed as Latchkey.init seals it: which routes a recipe serves may depend on the others
    // (ThirdParty leaves /loginmethods to Multitenancy when it is in the list).
    const capabilities = new CapabilityRegistry();
    const recipes = allRecipeInits(set).flatMap((build) => {
      const built = build({ appInfo, database, capabilities });
      return Array.isArray(built) ? built : [built];
    });
    capabilities.seal(recipes.flatMap((recipe) => recipe.provides()));
    return recipes.flatMap((recipe) => recipe.getAPIsHandled().map((api) => ({ ...api, recipeId: recipe.recipeId })));
  } finally {
    void database.close();
  }
}
