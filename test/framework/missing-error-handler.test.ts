import { expect } from "chai";
import express from "express";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import Latchkey from "../../lib/index";
import { middleware } from "../../lib/framework/express";
import { ERROR_HANDLER_HINT } from "../../lib/error";
import { resetForTests } from "../../lib/testing";
import Session from "../../recipes/session/index";
import { APP_INFO } from "../helpers/app";
import { captureLogs } from "../helpers/logCapture";

describe("express: Session.getSession in an app without errorHandler() (issue 22, item 7)", () => {
  afterEach(() => resetForTests());

  it("express's default 500 page and its log line say to add errorHandler()", async () => {
    Latchkey.init({ appInfo: APP_INFO, database: "sqlite::memory:", recipeList: [Session.init()] });
    const app = express();
    app.use(middleware());
    app.get("/me", async (req, res) => {
      const session = await Session.getSession(req, res);
      res.json({ userId: session.getUserId() });
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    try {
      const { port } = server.address() as AddressInfo;
      let seen = "";
      const captured = () => seen.includes(ERROR_HANDLER_HINT);
      const savedError = console.error;
      const { result, logs } = await captureLogs(async () => {
        const record = console.error;
        console.error = (...args: unknown[]) => {
          seen += args.map((a) => (a instanceof Error ? String(a.stack) : String(a))).join(" ");
          record(...args);
        };
        const res = await fetch(`http://127.0.0.1:${port}/me`);
        const body = await res.text();
        // express logs the error once the answer has gone out: wait for its line.
        for (let i = 0; i < 50 && !captured(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
        return { status: res.status, body };
      });
      expect(result.status).to.equal(500);
      // express escapes the page's text; the hint names the fix either way.
      expect(result.body).to.contain("add app.use(errorHandler()) from latchkey/framework/express");
      expect(result.body).to.contain("Session does not exist");
      console.error = savedError;
      expect(logs).to.contain(ERROR_HANDLER_HINT);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("leaves the message alone: handlers and answers see the same text as before", async () => {
    Latchkey.init({ appInfo: APP_INFO, database: "sqlite::memory:", recipeList: [Session.init()] });
    const err = await Session.getSession({ headers: {}, method: "GET", url: "/" } as never, {} as never).then(
      () => expect.fail("no session"),
      (e: Error) => e,
    );
    expect(err.message).to.equal("Session does not exist: no access token in the request");
    expect(err.stack).to.contain(ERROR_HANDLER_HINT);
  });
});
