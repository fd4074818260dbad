// Requests a careless or hostile client (or a quirky app) produces: bodies that arrive before Latchkey reads them,
// request targets that are not plain paths, errors after a response started, and body-parser failures.
import http, { type IncomingMessage } from "node:http";
import net, { type AddressInfo } from "node:net";
import { expect } from "chai";
import express from "express";
import { errorHandler, ExpressRequest, middleware } from "../../lib/framework/express";
import { splitRequestTarget } from "../../lib/framework/express/request";
import { readBody } from "../../lib/framework/body";
import { parseCookieHeader } from "../../lib/framework/cookies";
import Latchkey from "../../lib/index";
import { NotesRecipe } from "../fixtures/notesRecipe";
import { initLatchkey, type TestLatchkey } from "../helpers/app";
import { HttpClient } from "../helpers/http";

/** Starts `app` on loopback; returns its base URL and a closer. */
async function listen(app: express.Express): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A request object as node's http server would build it, without a socket. */
function fakeRequest(method: string, url: string, headers: Record<string, string> = {}): IncomingMessage {
  return Object.assign(new http.IncomingMessage(null as never), { method, url, headers });
}

/** Calls the middleware and reports what it passed to next() (or "answered" when it served the request). */
function runMiddleware(req: IncomingMessage): Promise<{ nextCalled: boolean; nextArg: unknown }> {
  const res = new http.ServerResponse(req);
  return new Promise((resolve, reject) => {
    middleware()(req, res, (err?: unknown) => resolve({ nextCalled: true, nextArg: err })).then(
      () => (res.headersSent || res.writableEnded ? resolve({ nextCalled: false, nextArg: undefined }) : undefined),
      reject,
    );
  });
}

describe("express adapter under hostile requests", () => {
  let lk: TestLatchkey | undefined;
  let closeServer: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await closeServer?.();
    closeServer = undefined;
    await lk?.cleanup();
    lk = undefined;
  });

  describe("a body that has fully arrived before Latchkey reads it", () => {
    it("is read, not taken for empty, behind an async middleware", async () => {
      lk = initLatchkey([NotesRecipe.init()]);
      const app = express();
      // Waits, as an async session store or logger would, until node has received the whole request body.
      app.use(async (req, _res, next) => {
        while (!req.complete) await new Promise((resolve) => setImmediate(resolve));
        next();
      });
      app.use(middleware());
      app.use(errorHandler());
      const server = await listen(app);
      closeServer = server.close;
      const res = await new HttpClient(server.baseUrl).request("POST", "/auth/notes", {
        body: { userId: "u1", text: "late" },
      });
      expect(res.status, JSON.stringify(res.json)).to.equal(200);
      expect((res.json.note as { text: string }).text).to.equal("late");
    });

    it("is read from a stream that something paused", async () => {
      lk = initLatchkey([NotesRecipe.init()]);
      const app = express();
      app.use((req, _res, next) => {
        req.pause();
        next();
      });
      app.use(middleware());
      app.use(errorHandler());
      const server = await listen(app);
      closeServer = server.close;
      const res = await new HttpClient(server.baseUrl).request("POST", "/auth/notes", {
        body: { userId: "u1", text: "paused" },
      });
      expect(res.status, JSON.stringify(res.json)).to.equal(200);
    });
  });

  describe("a client that goes away before its body is read", () => {
    function partialRequest(): IncomingMessage {
      const req = new http.IncomingMessage(new net.Socket());
      req.push('{"userId": "u1", "te');
      return req;
    }

    it("rejects the read with a 400 error when the request is destroyed mid-body (no hang)", async () => {
      const req = partialRequest();
      const reading = readBody(req);
      req.destroy();
      const err = await reading.then(
        () => expect.fail("the read should fail"),
        (e: InstanceType<typeof Latchkey.Error>) => e,
      );
      expect(err.type).to.equal("BAD_INPUT_ERROR");
    });

    it("rejects the read at once when the request was destroyed before it began", async () => {
      const req = partialRequest();
      req.destroy();
      await new Promise((resolve) => setImmediate(resolve));
      const err = await readBody(req).then(
        () => expect.fail("the read should fail"),
        (e: InstanceType<typeof Latchkey.Error>) => e,
      );
      expect(err.type).to.equal("BAD_INPUT_ERROR");
    });
  });

  describe("request targets that are not plain paths", () => {
    beforeEach(() => {
      lk = initLatchkey([NotesRecipe.init()]);
    });

    // [target, the path Latchkey must see]
    const targets: [string, string][] = [
      ["//[", "//["],
      ["//x/auth/notes", "//x/auth/notes"],
      ["//auth/notes?id=1", "//auth/notes"],
      ["/auth/notes?a=1#frag", "/auth/notes"],
      ["/auth/%6Eotes", "/auth/%6Eotes"],
      ["/auth/../auth/notes", "/auth/../auth/notes"],
      ["http://example.com/auth/notes?a=1", "/auth/notes"],
      ["http://[/auth/notes", ""],
      ["*", ""],
    ];
    for (const [target, path] of targets) {
      it(`takes the path of ${JSON.stringify(target)} as the client sent it, without throwing`, () => {
        expect(new ExpressRequest(fakeRequest("GET", target)).getPath()).to.equal(path);
      });
    }

    it("passes such requests to next() without an error instead of failing every request with a 500", async () => {
      for (const target of ["//[", "//x/auth/notes", "//auth/notes", "http://[/auth/notes", "*"]) {
        const outcome = await runMiddleware(fakeRequest("POST", target));
        expect(outcome, target).to.deep.equal({ nextCalled: true, nextArg: undefined });
      }
    });

    it("reads the query of a target, including one with a malformed escape", () => {
      expect(splitRequestTarget("/auth/x?a=1&a=2&b=%ZZ").query.getAll("a")).to.deep.equal(["1", "2"]);
      const req = new ExpressRequest(fakeRequest("GET", "/auth/x?b=%ZZ&c=%41"));
      expect(req.getQuery("b")).to.equal("%ZZ");
      expect(req.getQuery("c")).to.equal("A");
    });

    it("lets HEAD and OPTIONS (CORS preflight) on auth routes through to next()", async () => {
      for (const method of ["HEAD", "OPTIONS"]) {
        const outcome = await runMiddleware(
          fakeRequest(method, "/auth/notes/describe", { "access-control-request-method": "GET" }),
        );
        expect(outcome, method).to.deep.equal({ nextCalled: true, nextArg: undefined });
      }
    });
  });

  describe("errorHandler", () => {
    it("hands an error raised after the response started to next(), so express can close the connection", async () => {
      lk = initLatchkey([NotesRecipe.init()]);
      const app = express();
      const thrown = new Latchkey.Error("NOTE_REJECTED", "rejected", { fromRecipe: "notes" });
      app.get("/streaming", (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("partial");
        throw thrown;
      });
      app.use(errorHandler());
      let reachedNext: ((err: unknown) => void) | undefined;
      const seen = new Promise<unknown>((resolve) => (reachedNext = resolve));
      app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        reachedNext?.(err);
        res.destroy();
      });
      const server = await listen(app);
      closeServer = server.close;
      const reply = fetch(`${server.baseUrl}/streaming`)
        .then((r) => r.text())
        .catch((e: unknown) => e);
      expect(await seen).to.equal(thrown);
      await reply;
    });

    it("passes every error on untouched before Latchkey.init() (an app error, a body-parser error, one of ours)", async () => {
      const bodyParserError = Object.assign(new Error("Unexpected token"), {
        status: 400,
        type: "entity.parse.failed",
      });
      for (const error of [
        new Error("the app's own failure"),
        bodyParserError,
        new Latchkey.Error("UNAUTHORISED", "no session"),
      ]) {
        const req = fakeRequest("POST", "/auth/notes");
        const passed = await new Promise<unknown>(
          (resolve) => void errorHandler()(error, req, new http.ServerResponse(req), resolve),
        );
        expect(passed, error.message).to.equal(error);
      }
    });

    it("answers body-parser failures on auth routes with their 4xx and a message, never the app's 500", async () => {
      lk = initLatchkey([NotesRecipe.init()]);
      const app = express();
      app.use(express.json());
      app.use(middleware());
      app.use(errorHandler());
      app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).json({ appHandler: true, message: (err as Error).message });
      });
      const server = await listen(app);
      closeServer = server.close;
      const client = new HttpClient(server.baseUrl);
      const cases: [Record<string, string>, number][] = [
        [{ "content-type": "application/json; charset=koi8-r" }, 415],
        [{ "content-type": "application/json", "content-encoding": "x-unknown" }, 415],
      ];
      for (const [headers, status] of cases) {
        const res = await client.request("POST", "/auth/notes", { body: { userId: "u", text: "t" }, headers });
        expect(res.status, JSON.stringify(headers)).to.equal(status);
        expect(res.json.message)
          .to.be.a("string")
          .and.match(/^The request body/);
        // Outside apiBasePath the same failure is the app's to answer.
        expect((await client.request("POST", "/elsewhere", { body: {}, headers })).json.appHandler).to.equal(true);
      }
    });
  });

  describe("cookie header edge cases", () => {
    // [header, cookie name, expected value]
    const cases: [string, string, string | undefined][] = [
      ['a="quoted value"', "a", "quoted value"],
      ['a="', "a", '"'],
      ["a=x=y=z", "a", "x=y=z"],
      ["  a  =  spaced  ", "a", "spaced"],
      ["a=", "a", ""],
      ["=nameless; a=1", "a", "1"],
      ["a=%E0%A4%A; a=2", "a", "2"],
      ["a=%41%42", "a", "AB"],
      ["garbage;;; ;a=1", "a", "1"],
      ["__proto__=x", "__proto__", "x"],
      ["A=upper", "a", undefined],
    ];
    for (const [header, name, value] of cases) {
      it(`parses ${JSON.stringify(header)}: ${name} is ${JSON.stringify(value)}`, () => {
        expect(parseCookieHeader(header).get(name)).to.equal(value);
      });
    }
  });
});
