import { expect } from "chai";
import { NotesRecipe, type NotesRecipeInterface } from "../fixtures/notesRecipe";
import { initLatchkey, startApp, type TestLatchkey, type TestServer } from "../helpers/app";
import type { UserContext } from "../../lib/types";

// The override rules of DESIGN.md §2, proved on a recipe built like the shipped ones, on the run's database.
describe("override plumbing", () => {
  let lk: TestLatchkey | undefined;
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await lk?.cleanup();
    lk = undefined;
  });

  async function post(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${server?.baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it("spread-and-replace changes one function and keeps the others", async () => {
    lk = initLatchkey([
      NotesRecipe.init({
        override: {
          functions: (original) => ({
            ...original,
            createNote: async (input) => ({ id: "fixed", userId: input.userId, text: "replaced" }),
          }),
        },
      }),
    ]);
    const impl = NotesRecipe.getInstanceOrThrow().recipeInterfaceImpl;
    expect(await impl.createNote({ userId: "u1", text: "hi", userContext: {} })).to.deep.equal({
      id: "fixed",
      userId: "u1",
      text: "replaced",
    });
    expect(await impl.getNote({ id: "missing", userContext: {} })).to.equal(undefined);
  });

  it("a replaced function can change its input and call the original", async () => {
    lk = initLatchkey([
      NotesRecipe.init({
        override: {
          functions: (original) => ({
            ...original,
            createNote: async (input) => {
              input.text = `${input.text}!`;
              return original.createNote(input);
            },
          }),
        },
      }),
    ]);
    const impl = NotesRecipe.getInstanceOrThrow().recipeInterfaceImpl;
    const note = await impl.createNote({ userId: "u1", text: "hi", userContext: {} });
    expect(note.text).to.equal("hi!");
    // The original really wrote to the database: reading it back goes through getNote's real query.
    expect(await impl.getNote({ id: note.id, userContext: {} })).to.deep.equal({
      id: note.id,
      userId: "u1",
      text: "hi!",
    });
  });

  it("calls between functions go through the overridden object", async () => {
    lk = initLatchkey([
      NotesRecipe.init({
        override: {
          functions: (original) => ({
            ...original,
            getNote: async ({ id }) => ({ id, userId: "ghost", text: "from the override" }),
          }),
        },
      }),
    ]);
    // describeNote is not overridden, but it calls getNote, and must see the override's answer.
    const description = await NotesRecipe.getInstanceOrThrow().recipeInterfaceImpl.describeNote({
      id: "n1",
      userContext: {},
    });
    expect(description).to.equal("ghost: from the override");
  });

  it("userContext reaches every function, from the HTTP API down to the recipe functions", async () => {
    const seen: Record<string, UserContext> = {};
    const record = <K extends keyof NotesRecipeInterface>(
      original: NotesRecipeInterface,
      key: K,
    ): NotesRecipeInterface[K] =>
      (async (input: { userContext: UserContext }) => {
        seen[key] = input.userContext;
        return (original[key] as (i: unknown) => Promise<unknown>)(input);
      }) as NotesRecipeInterface[K];
    lk = initLatchkey([
      NotesRecipe.init({
        override: {
          apis: (original) => ({
            ...original,
            createNotePOST: async (input) => {
              input.userContext.fromApi = true;
              seen.api = input.userContext;
              // Prove the request is reachable from userContext, as SuperTokens puts it under _default.
              expect((input.userContext._default as { request: unknown }).request).to.equal(input.options.req);
              const created = await original.createNotePOST!(input);
              await input.options.recipeImplementation.describeNote({
                id: created.note.id,
                userContext: input.userContext,
              });
              return created;
            },
          }),
          functions: (original) => ({
            ...original,
            createNote: record(original, "createNote"),
            getNote: record(original, "getNote"),
            describeNote: record(original, "describeNote"),
          }),
        },
      }),
    ]);
    server = await startApp();
    const res = await post("/auth/notes", { userId: "u1", text: "hello" });
    expect(res.status).to.equal(200);
    expect(res.json.status).to.equal("OK");
    expect(Object.keys(seen).sort()).to.deep.equal(["api", "createNote", "describeNote", "getNote"]);
    for (const key of ["createNote", "getNote", "describeNote"]) {
      expect(seen[key], key).to.equal(seen.api);
      expect(seen[key]?.fromApi, key).to.equal(true);
    }
  });

  it("userContext defaults to {} and is passed on when a caller gives one", async () => {
    let received: UserContext | undefined;
    lk = initLatchkey([
      NotesRecipe.init({
        override: {
          functions: (original) => ({
            ...original,
            getNote: async (input) => ((received = input.userContext), original.getNote(input)),
          }),
        },
      }),
    ]);
    const ctx = { tenant: "a" };
    await NotesRecipe.getInstanceOrThrow().recipeInterfaceImpl.describeNote({ id: "x", userContext: ctx });
    expect(received).to.equal(ctx);
  });

  it("an API set to undefined disables its route: the request falls through to the app", async () => {
    lk = initLatchkey([
      NotesRecipe.init({ override: { apis: (original) => ({ ...original, createNotePOST: undefined }) } }),
    ]);
    server = await startApp({
      addRoutes: (app) => app.post("/auth/notes", (_req, res) => void res.status(201).json({ servedBy: "app" })),
    });
    const res = await post("/auth/notes", { userId: "u1", text: "hi" });
    expect(res.status).to.equal(201);
    expect(res.json).to.deep.equal({ servedBy: "app" });
    // The other API of the same recipe still answers.
    const other = await fetch(`${server.baseUrl}/auth/notes/describe?id=zz`);
    expect(await other.json()).to.deep.equal({ status: "OK", description: "no such note" });
  });

  it("rejects an override that returns nothing, or drops a function, at init with the field named", () => {
    expect(() =>
      initLatchkey([NotesRecipe.init({ override: { functions: () => undefined as unknown as NotesRecipeInterface } })]),
    ).to.throw(/notes.override.functions: the override function must return an object/);
    expect(() =>
      initLatchkey([
        NotesRecipe.init({ override: { functions: (o) => ({ createNote: o.createNote }) as NotesRecipeInterface } }),
      ]),
    ).to.throw(/notes.override.functions.getNote: must be a function/);
  });
});
