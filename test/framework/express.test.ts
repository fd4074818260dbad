import http from "node:http";
import { expect } from "chai";
import { ExpressRequest, middleware } from "../../lib/framework/express";
import Latchkey from "../../lib/index";
import { NotesRecipe } from "../fixtures/notesRecipe";
import { APP_INFO, initLatchkey, startApp, type TestLatchkey, type TestServer } from "../helpers/app";
import { HttpClient, type Reply } from "../helpers/http";

describe("express adapter", () => {
  let lk: TestLatchkey | undefined;
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await lk?.cleanup();
    lk = undefined;
  });

  function send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
    return new HttpClient(server?.baseUrl ?? "").request(method, path, {
      ...(body === undefined ? {} : { body }),
      headers,
    });
  }

  for (const jsonParserFirst of [false, true]) {
    describe(jsonParserFirst ? "behind express.json()" : "reading the body itself", () => {
      beforeEach(async () => {
        lk = initLatchkey([NotesRecipe.init()]);
        server = await startApp({
          jsonParserFirst,
          addRoutes: (app) => {
            app.get("/hello", (_req, res) => void res.json({ from: "app" }));
            app.get("/throws-ours", () => {
              throw new Latchkey.Error("NOTE_REJECTED", "rejected", { fromRecipe: "notes" });
            });
            app.get("/throws-bad-input", () => {
              throw new Latchkey.Error("BAD_INPUT_ERROR", "the x parameter is missing");
            });
            app.get("/throws-general", () => {
              throw new Latchkey.Error("GENERAL_ERROR", "Cannot reach the database (mysql at 10.0.0.5:3306/x)");
            });
            app.get("/throws-other", () => {
              throw new Error("not ours");
            });
          },
        });
      });

      it("serves a recipe route under apiBasePath", async () => {
        const res = await send("POST", "/auth/notes", JSON.stringify({ userId: "u1", text: "hi" }));
        expect(res.status).to.equal(200);
        expect(res.json.status).to.equal("OK");
        expect(res.headers.get("content-type")).to.match(/^application\/json/);
      });

      it("matches with a trailing slash and ignores the query string", async () => {
        const res = await send("POST", "/auth/notes/?x=1", JSON.stringify({ userId: "u1", text: "hi" }));
        expect(res.json.status).to.equal("OK");
      });

      it("calls next() for every other path and method", async () => {
        expect((await send("GET", "/hello")).json).to.deep.equal({ from: "app" });
        expect((await send("GET", "/auth/notes")).status).to.equal(404); // wrong method
        expect((await send("POST", "/auth/nope", "{}")).status).to.equal(404);
        expect((await send("POST", "/authnotes", "{}")).status).to.equal(404);
      });

      const malformed: [string, string][] = [
        ["not JSON", "{userId: 'u1'"],
        ["a JSON array", "[1,2]"],
        ["a JSON string", '"hi"'],
        ["JSON null", "null"],
        ["the wrong shape", JSON.stringify({ userId: 1, text: ["x"] })],
        ["prototype-pollution keys", '{"__proto__": {"admin": true}, "constructor": {"prototype": {"admin": true}}}'],
      ];
      for (const [name, body] of malformed) {
        it(`answers a body that is ${name} with 400 and a clear message, never 500`, async () => {
          const res = await send("POST", "/auth/notes", body);
          expect(res.status, JSON.stringify(res.json)).to.equal(400);
          expect(res.json.message).to.be.a("string").and.not.equal("");
          expect(({} as Record<string, unknown>).admin).to.equal(undefined);
        });
      }

      it("answers an over-large body with a 4xx and a message, never 500", async () => {
        const res = await send("POST", "/auth/notes", JSON.stringify({ userId: "u", text: "x".repeat(200_000) }));
        expect(res.status).to.be.within(400, 499);
        expect(res.json.message).to.be.a("string");
      });

      it("errorHandler answers a LatchkeyError from the app's own route as its recipe defines", async () => {
        const res = await send("GET", "/throws-ours");
        expect(res.status).to.equal(422);
        expect(res.json).to.deep.equal({ status: "NOTE_REJECTED", by: "notes" });
      });

      it("errorHandler answers BAD_INPUT_ERROR with 400 and GENERAL_ERROR with 500 without internals", async () => {
        const bad = await send("GET", "/throws-bad-input");
        expect(bad.status).to.equal(400);
        expect(bad.json).to.deep.equal({ message: "the x parameter is missing" });
        const general = await send("GET", "/throws-general");
        expect(general.status).to.equal(500);
        expect(general.json).to.deep.equal({ status: "GENERAL_ERROR", message: "Internal error" });
      });

      it("errorHandler passes errors that are not ours to the app's handler", async () => {
        const res = await send("GET", "/throws-other");
        expect(res.status).to.equal(500);
        expect(res.json).to.deep.equal({ appHandler: true, message: "not ours" });
      });
    });
  }

  it("serves routes under a custom apiBasePath, wherever the middleware is mounted", async () => {
    lk = initLatchkey([NotesRecipe.init()], { ...APP_INFO, apiBasePath: "/api/v1/auth" });
    server = await startApp();
    expect((await send("POST", "/api/v1/auth/notes", JSON.stringify({ userId: "u", text: "t" }))).json.status).to.equal(
      "OK",
    );
    expect((await send("POST", "/auth/notes", JSON.stringify({ userId: "u", text: "t" }))).status).to.equal(404);
  });

  it("uses the rid header to pick between recipes serving the same route, else the first listed", async () => {
    lk = initLatchkey([NotesRecipe.init(), NotesRecipe.init({ recipeId: "memo" })]);
    server = await startApp();
    const body = JSON.stringify({ userId: "u", text: "t" });
    expect((await send("POST", "/auth/notes", body, { rid: "memo" })).json.servedBy).to.equal("memo");
    expect((await send("POST", "/auth/notes", body, { rid: "notes" })).json.servedBy).to.equal("notes");
    expect((await send("POST", "/auth/notes", body, { rid: "anti-csrf" })).json.servedBy).to.equal("notes");
    expect((await send("POST", "/auth/notes", body)).json.servedBy).to.equal("notes");
  });

  it("a recipe error raised inside a route is answered by the recipe that raised it", async () => {
    lk = initLatchkey([NotesRecipe.init({ recipeId: "memo" }), NotesRecipe.init()]);
    server = await startApp();
    const res = await send("POST", "/auth/notes", JSON.stringify({ userId: "u", text: "boom" }), { rid: "notes" });
    expect(res.status).to.equal(422);
    expect(res.json).to.deep.equal({ status: "NOTE_REJECTED", by: "notes" });
  });

  it("the middleware works on a plain node http server too (no express)", async () => {
    lk = initLatchkey([NotesRecipe.init()]);
    const handle = middleware();
    const plain = http.createServer((req, res) => {
      void handle(req, res, () => {
        res.statusCode = 404;
        res.end();
      });
    });
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    const port = (plain.address() as { port: number }).port;
    try {
      const ok = await fetch(`http://127.0.0.1:${port}/auth/notes`, {
        method: "POST",
        body: JSON.stringify({ userId: "u", text: "t" }),
      });
      expect(((await ok.json()) as { status: string }).status).to.equal("OK");
      expect((await fetch(`http://127.0.0.1:${port}/elsewhere`)).status).to.equal(404);
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  it("reads duplicated cookies and headers deterministically (first wins)", async () => {
    const fake = Object.assign(new http.IncomingMessage(null as never), {
      method: "GET",
      url: "/auth/x?a=1&a=2",
      headers: { cookie: "sAccessToken=first; other=1; sAccessToken=second; bad=%E0%A4%A", "x-many": "a" },
    });
    const req = new ExpressRequest(fake);
    expect(req.getCookie("sAccessToken")).to.equal("first");
    expect(req.getCookie("bad")).to.equal(undefined);
    expect(req.getQuery("a")).to.equal("1");
    expect(req.getHeader("X-Many")).to.equal("a");
  });
});
