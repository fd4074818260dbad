// Config and routing as a careless user writes them: slips that must give a typed INVALID_CONFIG saying what to do,
// and routes that must fall through to next() rather than be served by the wrong recipe.
import { expect } from "chai";
import type { BaseRequest } from "../../lib/framework/request";
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import { findRoute, pathUnderBase } from "../../lib/router";
import { resetForTests } from "../../lib/testing";
import type { TypeInput } from "../../lib/types";
import Session from "../../recipes/session";
import { NotesRecipe } from "../fixtures/notesRecipe";
import { APP_INFO } from "../helpers/app";

// No query runs in these tests: an in-memory SQLite URL is enough.
const DB = "sqlite::memory:";

function initWith(overrides: Record<string, unknown>): void {
  Latchkey.init({
    appInfo: APP_INFO,
    database: DB,
    recipeList: [NotesRecipe.init()],
    ...overrides,
  } as unknown as TypeInput);
}

function configError(overrides: Record<string, unknown>): InstanceType<typeof Latchkey.Error> {
  try {
    initWith(overrides);
  } catch (err) {
    expect(Latchkey.Error.isErrorFromAuth(err), String(err)).to.equal(true);
    expect((err as InstanceType<typeof Latchkey.Error>).type).to.equal("INVALID_CONFIG");
    return err as InstanceType<typeof Latchkey.Error>;
  }
  throw new Error("init should have thrown INVALID_CONFIG");
}

/** A request with just what routing reads. */
function request(method: string, path: string, headers: Record<string, string> = {}): BaseRequest {
  return {
    getMethod: () => method.toLowerCase() as ReturnType<BaseRequest["getMethod"]>,
    getPath: () => path,
    getHeader: (name) => headers[name.toLowerCase()],
    getCookie: () => undefined,
    getQuery: () => undefined,
    getJSONBody: () => Promise.resolve({}),
    original: undefined,
  };
}

describe("init given a careless config", () => {
  afterEach(() => resetForTests());

  it("names a recipe's init listed without calling it, and says to call it", () => {
    const err = configError({ recipeList: [NotesRecipe.init(), Session.init] });
    expect(err.message).to.match(/^recipeList\[1\]: is a recipe's init itself: call it/);
  });

  it("names a recipe builder that returns something other than a recipe", () => {
    for (const built of [undefined, null, {}, { recipeId: "x" }, "session"]) {
      const err = configError({ recipeList: [() => built] });
      expect(err.message, String(built)).to.match(/^recipeList\[0\]: did not build a recipe/);
    }
  });

  it("names the hole in a sparse recipe list (a doubled comma)", () => {
    // eslint-disable-next-line no-sparse-arrays -- the slip under test
    const err = configError({ recipeList: [NotesRecipe.init(), , NotesRecipe.init({ recipeId: "memo" })] });
    expect(err.message).to.match(/^recipeList\[1\]: must be the result of a recipe's init\(\)/);
  });

  it("leaves nothing behind after such a failure: a correct init follows", () => {
    configError({ recipeList: [Session.init] });
    initWith({});
    expect(Core.getInstanceOrThrow().recipes.map((r) => r.recipeId)).to.deep.equal(["notes"]);
  });

  it("does not echo a domain that could carry credentials", () => {
    const err = configError({ appInfo: { ...APP_INFO, apiDomain: "https://admin:hunter 2@api example.com" } });
    expect(err.message).to.match(/^appInfo\.apiDomain: /);
    expect(err.message).to.not.contain("hunter");
    // A plain bad domain is still quoted, so the user sees what was read.
    expect(configError({ appInfo: { ...APP_INFO, apiDomain: "http://exa mple.com" } }).message).to.contain(
      '"http://exa mple.com"',
    );
  });

  // [base path, why it can never match a request]
  const unmatchable: [string, string][] = [
    ["/aüth", "a non-ASCII letter (requests carry it percent-encoded)"],
    ["/auth<x>", "angle brackets"],
    ['/au"th', "a double quote"],
    ["/au|th", "a pipe"],
    ["/au^th", "a caret"],
  ];
  for (const [apiBasePath, why] of unmatchable) {
    it(`refuses apiBasePath ${JSON.stringify(apiBasePath)}: ${why}`, () => {
      expect(configError({ appInfo: { ...APP_INFO, apiBasePath } }).message).to.match(/^appInfo\.apiBasePath: /);
      expect(configError({ appInfo: { ...APP_INFO, websiteBasePath: apiBasePath } }).message).to.match(
        /^appInfo\.websiteBasePath: /,
      );
    });
  }

  it("still accepts the path characters a URL allows unencoded", () => {
    initWith({ appInfo: { ...APP_INFO, apiBasePath: "/api/v1.2/auth-x_y~z/@me/a:b" } });
    expect(Core.getInstanceOrThrow().appInfo.apiBasePath).to.equal("/api/v1.2/auth-x_y~z/@me/a:b");
  });
});

describe("routing", () => {
  afterEach(() => resetForTests());

  function recipes(): Core["recipes"] {
    return Core.getInstanceOrThrow().recipes;
  }

  it("skips a recipe whose override disabled the route when the client names no recipe", () => {
    initWith({
      recipeList: [
        NotesRecipe.init({ override: { apis: (o) => ({ ...o, createNotePOST: undefined }) } }),
        NotesRecipe.init({ recipeId: "memo" }),
      ],
    });
    for (const headers of [{}, { rid: "unknown" }] as Record<string, string>[]) {
      expect(
        findRoute("/auth", recipes(), request("POST", "/auth/notes", headers))?.recipe.recipeId,
        JSON.stringify(headers),
      ).to.equal("memo");
    }
  });

  it("falls through when the recipe the client names has the route disabled (no other recipe answers for it)", () => {
    initWith({
      recipeList: [
        NotesRecipe.init({ override: { apis: (o) => ({ ...o, createNotePOST: undefined }) } }),
        NotesRecipe.init({ recipeId: "memo" }),
      ],
    });
    expect(findRoute("/auth", recipes(), request("POST", "/auth/notes", { rid: "notes" }))).to.equal(undefined);
    expect(findRoute("/auth", recipes(), request("POST", "/auth/notes", { rid: "memo" }))?.recipe.recipeId).to.equal(
      "memo",
    );
  });

  it("falls through when every recipe serving the route disabled it", () => {
    initWith({ recipeList: [NotesRecipe.init({ override: { apis: (o) => ({ ...o, createNotePOST: undefined }) } })] });
    expect(findRoute("/auth", recipes(), request("POST", "/auth/notes"))).to.equal(undefined);
    expect(findRoute("/auth", recipes(), request("GET", "/auth/notes/describe"))?.api.id).to.equal("describeNoteGET");
  });

  it("serves a route only as written: no case folding, no decoding of escapes, no dot segments", () => {
    initWith({});
    expect(findRoute("/auth", recipes(), request("POST", "/auth/notes"))?.api.id).to.equal("createNotePOST");
    for (const path of [
      "/auth/%6Eotes",
      "/auth/%6eotes",
      "/AUTH/notes",
      "/auth/Notes",
      "/auth/./notes",
      "/x/../auth/notes",
      "/auth;x/notes",
    ]) {
      expect(findRoute("/auth", recipes(), request("POST", path)), path).to.equal(undefined);
    }
  });

  it("takes a first segment of SuperTokens' tenant pattern as the tenant when the path does not match as it is", () => {
    initWith({});
    const routed = (path: string) => {
      const found = findRoute("/auth", recipes(), request("GET", path));
      return found === undefined ? undefined : `${found.tenantIdFromPath ?? "-"} ${found.api.id}`;
    };
    expect(routed("/auth/notes/describe")).to.equal("- describeNoteGET");
    expect(routed("/auth/acme/notes/describe")).to.equal("acme describeNoteGET");
    expect(routed("/auth/Acme-2/notes/describe")).to.equal("Acme-2 describeNoteGET");
    expect(routed(`/auth/${"a".repeat(64)}/notes/describe`)).to.equal(`${"a".repeat(64)} describeNoteGET`);
    for (const path of [
      `/auth/${"a".repeat(65)}/notes/describe`,
      "/auth/a.b/notes/describe",
      "/auth/%61cme/notes/describe",
      "/auth/a_b/notes/describe",
      "/auth//notes/describe",
      "/auth/acme/acme/notes/describe",
      "/auth/acme",
    ]) {
      expect(routed(path), path).to.equal(undefined);
    }
  });

  // [base, path, the part under the base or undefined]
  const paths: [string, string, string | undefined][] = [
    ["/auth", "/auth", "/"],
    ["/auth", "/auth/", "/"],
    ["/auth", "/auth/notes/", "/notes"],
    ["/auth", "/auth//notes", "//notes"],
    ["/auth", "/auth/notes//", "/notes/"],
    ["/auth", "/Auth/notes", undefined],
    ["/auth", "/authx/notes", undefined],
    ["/auth", "/auth%2Fnotes", undefined],
    ["/auth", "", undefined],
    ["", "/notes", "/notes"],
    ["", "/", "/"],
    ["", "", "/"],
  ];
  for (const [base, path, under] of paths) {
    it(`reads ${JSON.stringify(path)} under ${JSON.stringify(base)} as ${JSON.stringify(under)}`, () => {
      expect(pathUnderBase(base, path)).to.equal(under);
    });
  }
});
