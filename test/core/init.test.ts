import { expect } from "chai";
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import { resetForTests } from "../../lib/testing";
import type { TypeInput } from "../../lib/types";
import { Sessions } from "../../lib/seams";
import { NotesRecipe } from "../fixtures/notesRecipe";
import { APP_INFO } from "../helpers/app";

// These tests never touch storage: an in-memory SQLite URL is given and no query runs.
const DB = "sqlite::memory:";

function initWith(overrides: Partial<TypeInput> & Record<string, unknown>): void {
  Latchkey.init({ appInfo: APP_INFO, database: DB, recipeList: [NotesRecipe.init()], ...overrides } as TypeInput);
}

function expectConfigError(fn: () => void, field: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(Latchkey.Error.isErrorFromAuth(caught), `expected a LatchkeyError naming ${field}`).to.equal(true);
  const err = caught as InstanceType<typeof Latchkey.Error>;
  expect(err.type).to.equal("INVALID_CONFIG");
  expect(err.message).to.contain(field);
}

describe("Latchkey.init", () => {
  afterEach(() => resetForTests());

  it("normalises appInfo once: origins for domains, default and cleaned base paths", () => {
    initWith({
      appInfo: { appName: " Shop ", apiDomain: "api.example.com/", websiteDomain: "http://localhost:3000/" },
    });
    expect(Core.getInstanceOrThrow().appInfo).to.deep.equal({
      appName: "Shop",
      apiDomain: "https://api.example.com",
      websiteDomain: "http://localhost:3000",
      apiBasePath: "/auth",
      websiteBasePath: "/auth",
    });
  });

  it("accepts custom base paths and the root", () => {
    initWith({ appInfo: { ...APP_INFO, apiBasePath: "api/auth/", websiteBasePath: "/" } });
    const { apiBasePath, websiteBasePath } = Core.getInstanceOrThrow().appInfo;
    expect(apiBasePath).to.equal("/api/auth");
    expect(websiteBasePath).to.equal("");
  });

  const badConfigs: [string, Record<string, unknown>, string][] = [
    ["missing appName", { appInfo: { ...APP_INFO, appName: "" } }, "appInfo.appName"],
    ["missing apiDomain", { appInfo: { ...APP_INFO, apiDomain: undefined } }, "appInfo.apiDomain"],
    ["apiDomain with a path", { appInfo: { ...APP_INFO, apiDomain: "https://x.com/api" } }, "appInfo.apiDomain"],
    [
      "websiteDomain with a bad scheme",
      { appInfo: { ...APP_INFO, websiteDomain: "ftp://x.com" } },
      "appInfo.websiteDomain",
    ],
    ["apiBasePath with a query", { appInfo: { ...APP_INFO, apiBasePath: "/auth?x=1" } }, "appInfo.apiBasePath"],
    ["apiBasePath with ..", { appInfo: { ...APP_INFO, apiBasePath: "/a/../b" } }, "appInfo.apiBasePath"],
    ["unknown appInfo key", { appInfo: { ...APP_INFO, apiDomian: "x" } }, "appInfo.apiDomian"],
    ["appInfo not an object", { appInfo: "shop" }, "appInfo"],
    ["unknown top-level key", { supertokens: { connectionURI: "http://localhost:3567" } }, "config.supertokens"],
    ["empty recipeList", { recipeList: [] }, "recipeList"],
    ["recipeList entry not a builder", { recipeList: [{}] }, "recipeList[0]"],
    ["bad table prefix", { tablePrefix: "drop table;" }, "tablePrefix"],
    ["unsupported database URL", { database: "mongodb://user:pw@host/db" }, "database"],
    ["database of the wrong type", { database: 42 }, "database"],
  ];
  for (const [name, overrides, field] of badConfigs) {
    it(`rejects ${name} with an INVALID_CONFIG naming ${field}`, () => {
      expectConfigError(() => initWith(overrides), field);
      // A rejected init leaves nothing behind: a correct one can follow.
      initWith({});
    });
  }

  it("never echoes a database password in a config error", () => {
    try {
      initWith({ database: "mongodb://user:hunter2@host/db" });
      expect.fail("init should have thrown");
    } catch (err) {
      expect((err as Error).message).to.not.contain("hunter2");
    }
  });

  it("rejects a recipe listed twice", () => {
    expectConfigError(() => initWith({ recipeList: [NotesRecipe.init(), NotesRecipe.init()] }), "recipeList");
  });

  it("rejects a recipe whose required recipe is missing, naming both", () => {
    try {
      initWith({ recipeList: [NotesRecipe.init({ requires: [Sessions] })] });
      expect.fail("init should have thrown");
    } catch (err) {
      expect((err as Error).message).to.match(/notes recipe needs the session recipe/);
    }
  });

  it("rejects a second init in the same process", () => {
    initWith({});
    expect(() => initWith({})).to.throw(/already called/);
  });

  it("makes every function called before init throw NOT_INITIALISED with what to do", async () => {
    expect(() => Latchkey.getAllCORSHeaders()).to.throw(/Latchkey.init\(\) must be called/);
    expect(() => NotesRecipe.getInstanceOrThrow()).to.throw(/Latchkey.init\(\) must be called/);
    try {
      await Latchkey.getUser("u1");
      expect.fail("getUser should have thrown");
    } catch (err) {
      expect((err as InstanceType<typeof Latchkey.Error>).type).to.equal("NOT_INITIALISED");
    }
  });

  it("says which recipe is missing when one is looked up but not listed", () => {
    initWith({ recipeList: [NotesRecipe.init({ recipeId: "other" })] });
    expect(() => NotesRecipe.getInstanceOrThrow()).to.throw(/notes recipe is not initialised/);
  });

  it("resetForTests lets init run again", async () => {
    initWith({});
    await resetForTests();
    initWith({});
    expect(Core.getInstanceOrThrow().recipes).to.have.length(1);
  });

  it("getAllCORSHeaders lists the SDK headers and every recipe's, once each", () => {
    initWith({
      recipeList: [
        NotesRecipe.init({ corsHeaders: ["anti-csrf", "rid"] }),
        NotesRecipe.init({ recipeId: "b", corsHeaders: ["authorization"] }),
      ],
    });
    expect(Latchkey.getAllCORSHeaders()).to.deep.equal(["rid", "fdi-version", "anti-csrf", "authorization"]);
  });

  it("the default export is the object require() returns, and .default is itself", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const required = require("../../lib/index") as typeof Latchkey;
    expect(required).to.equal(Latchkey);
    expect(required.default).to.equal(Latchkey);
    expect(typeof required.init).to.equal("function");
  });
});
