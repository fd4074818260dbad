// The rules that keep recipes independent (docs/ARCHITECTURE.md), checked over the source itself so that a change
// that breaks one fails here rather than in review.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const RECIPES = path.join(ROOT, "recipes");
// The fixture recipe of the architecture tests follows the same skeleton as the shipped ones.
const FIXTURE = path.join(ROOT, "test/fixtures/pinlogin");

/** Every recipe folder has these files; a preset (recipes built from other recipes) has preset.ts instead of storage. */
const SKELETON = [
  "index.ts",
  "recipe.ts",
  "types.ts",
  "config.ts",
  "error.ts",
  "recipeImplementation.ts",
  "api/implementation.ts",
  "store.ts",
  "migrations.ts",
];
const PRESET_SKELETON = ["index.ts", "preset.ts", "types.ts", "error.ts"];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.name.endsWith(".ts") ? [full] : [];
  });
}

const recipeFolders = (): string[] =>
  fs
    .readdirSync(RECIPES)
    .map((name) => path.join(RECIPES, name))
    .filter((p) => fs.statSync(p).isDirectory());
const isPreset = (folder: string): boolean => fs.existsSync(path.join(folder, "preset.ts"));
const relative = (file: string): string => path.relative(ROOT, file);

// import ... from "x", export ... from "x", require("x"), import("x")
const SPECIFIERS = /(?:from\s+|require\(\s*|import\(\s*)["']([^"']+)["']/g;
function importsOf(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = fs.readFileSync(file, "utf8");
  const out: { specifier: string; typeOnly: boolean }[] = [];
  for (const statement of text.split(/;\s*\n/)) {
    for (const match of statement.matchAll(SPECIFIERS)) {
      out.push({ specifier: match[1] ?? "", typeOnly: /^\s*(import|export)\s+type\b/m.test(statement) });
    }
  }
  return out;
}

function recipeIds(): Map<string, string> {
  const ids = new Map<string, string>();
  for (const folder of recipeFolders()) {
    for (const file of filesUnder(folder)) {
      const match = /static readonly RECIPE_ID = "([^"]+)"/.exec(fs.readFileSync(file, "utf8"));
      if (match?.[1] !== undefined) ids.set(match[1], folder);
    }
  }
  return ids;
}

describe("architecture: boundaries between recipes", () => {
  it("every recipe folder (and the fixture recipe) has the same skeleton", () => {
    const missing: string[] = [];
    for (const folder of [...recipeFolders(), FIXTURE]) {
      for (const file of isPreset(folder) ? PRESET_SKELETON : SKELETON) {
        if (!fs.existsSync(path.join(folder, file))) missing.push(`${relative(folder)}/${file}`);
      }
    }
    expect(missing).to.deep.equal([]);
    expect(recipeFolders().length).to.be.at.least(5);
  });

  it("no recipe imports another recipe's files; a preset may use another recipe's index.ts, others only its types", () => {
    const offences: string[] = [];
    for (const folder of recipeFolders()) {
      for (const file of filesUnder(folder)) {
        for (const { specifier, typeOnly } of importsOf(file)) {
          if (!specifier.startsWith(".")) continue;
          const target = path.resolve(path.dirname(file), specifier);
          if (!target.startsWith(RECIPES + path.sep) || target.startsWith(folder + path.sep)) continue;
          const isIndex = /^[^/\\]+[/\\]index$/.test(path.relative(RECIPES, target));
          if (isIndex && (typeOnly || isPreset(folder))) continue;
          offences.push(`${relative(file)} imports ${specifier}`);
        }
      }
    }
    expect(offences).to.deep.equal([]);
  });

  it("lib/ never imports a recipe", () => {
    const offences = filesUnder(path.join(ROOT, "lib")).flatMap((file) =>
      importsOf(file)
        .filter(
          ({ specifier }) =>
            specifier.startsWith(".") && path.resolve(path.dirname(file), specifier).startsWith(RECIPES),
        )
        .map(({ specifier }) => `${relative(file)} imports ${specifier}`),
    );
    expect(offences).to.deep.equal([]);
  });

  it("no recipe id string appears outside its own folder (lib and other recipes ask capabilities instead)", () => {
    const ids = recipeIds();
    expect([...ids.keys()]).to.include.members(["session", "emailpassword", "emailverification", "thirdparty"]);
    const offences: string[] = [];
    const files = [...filesUnder(path.join(ROOT, "lib")), ...filesUnder(RECIPES)];
    for (const file of files) {
      // SuperTokens' factor ids are named like two recipes; they are the only such strings lib declares.
      // Doc comments are left out: their @example blocks show factor ids ("totp", "emailpassword") as a user writes them.
      const text = fs
        .readFileSync(file, "utf8")
        .replace(/export const FactorIds = \{[^}]*\}/, "")
        .replace(/\/\*\*[\s\S]*?\*\//g, "");
      for (const [id, owner] of ids) {
        if (file.startsWith(owner + path.sep)) continue;
        // A preset names the recipes it is made of only through their index.ts, never by id.
        if (new RegExp(`["'\`]${id}["'\`]`).test(text)) offences.push(`${relative(file)} names "${id}"`);
      }
    }
    expect(offences).to.deep.equal([]);
  });

  it("SQL lives in each recipe's store.ts (and its migrations), not in its logic", () => {
    const offences: string[] = [];
    for (const folder of [...recipeFolders(), FIXTURE]) {
      for (const file of filesUnder(folder)) {
        const name = path.relative(folder, file);
        if (name === "store.ts" || name === "migrations.ts" || name.startsWith(`store${path.sep}`)) continue;
        const text = fs.readFileSync(file, "utf8");
        if (/from\s+["']knex["']/.test(text) || /\bknex\s*\(|\btrx\s*\(|\.where\(\{/.test(text))
          offences.push(relative(file));
      }
    }
    expect(offences).to.deep.equal([]);
  });

  it("a recipe's index.ts exports only init, its functions, its Error and types (no classes or internals)", () => {
    const offences: string[] = [];
    for (const folder of recipeFolders()) {
      const text = fs.readFileSync(path.join(folder, "index.ts"), "utf8");
      for (const match of text.matchAll(/export\s+\{([^}]*)\}\s+from/g)) {
        if (/^\s*export\s+type\s/.test(match[0])) continue;
        for (const name of (match[1] ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "" && !s.startsWith("type "))) {
          if (/Recipe$|^make|ROUTES|_KEYS$|Answer$/.test(name))
            offences.push(`${relative(folder)}/index.ts exports ${name}`);
        }
      }
    }
    expect(offences).to.deep.equal([]);
  });
});
