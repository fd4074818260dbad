// The fetch core's edges that an HTTP round trip cannot reach: a body already consumed, a response already sent,
// errors before init, and Fastify's own body-parse errors on auth routes.
import { expect } from "chai";
import Fastify from "fastify";
import Latchkey from "../../lib/index";
import { answerError } from "../../lib/framework/core";
import { errorToResponse, FetchRequest, getSession, handler, HeadersResponse } from "../../lib/framework/fetch";
import { errorHandler, plugin } from "../../lib/framework/fastify";
import Session from "../../recipes/session/index";
import { initLatchkey, type TestLatchkey } from "../helpers/app";

describe("fetch core", () => {
  let lk: TestLatchkey | undefined;
  afterEach(async () => {
    await lk?.cleanup();
    lk = undefined;
  });

  it("reads a body another layer consumed as empty, as the node adapter does", async () => {
    const request = new Request("http://x/auth/y", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    await request.text();
    expect(await new FetchRequest(request).getJSONBody()).to.deep.equal({});
  });

  it("never answers an error once the response was sent, nor before Latchkey.init()", async () => {
    const err = new Latchkey.Error("UNAUTHORISED", "no session");
    const request = new FetchRequest(new Request("http://x/auth/signin"));
    expect(await answerError(err, request, new HeadersResponse())).to.equal(false); // before init
    lk = initLatchkey([Session.init()]);
    const sent = new HeadersResponse();
    sent.sendJSON({ mine: true });
    expect(await answerError(err, request, sent)).to.equal(false);
    expect(sent.getBody()).to.equal('{"mine":true}');
    const fresh = new HeadersResponse();
    expect(await answerError(err, request, fresh)).to.equal(true);
    expect(fresh.getStatus()).to.equal(401);
  });

  it("getSession gives the session and the headers; errorToResponse answers ours and leaves others", async () => {
    lk = initLatchkey([Session.init()]);
    const created = await Session.createNewSessionWithoutRequestResponse("u1");
    const request = new Request("http://x/me", { headers: { authorization: `Bearer ${created.getAccessToken()}` } });
    const { session, headers } = await getSession(request);
    expect(session?.getUserId()).to.equal("u1");
    expect(headers).to.be.instanceOf(Headers);
    const failed = await getSession(new Request("http://x/me")).catch((e: unknown) => e);
    const answer = await errorToResponse(failed, new Request("http://x/me"));
    expect(answer?.status).to.equal(401);
    expect(await errorToResponse(new Error("app"), new Request("http://x/me"))).to.equal(undefined);
    expect(await handler(new Request("http://x/elsewhere"))).to.equal(undefined);
  });

  it("Fastify: its own JSON parse error on a route under apiBasePath is a 400 with our message, elsewhere its own", async () => {
    lk = initLatchkey([Session.init()]);
    const app = Fastify();
    await app.register(plugin);
    app.post("/auth/app-route", async () => ({ ok: true }));
    app.post("/elsewhere", async () => ({ ok: true }));
    app.setErrorHandler(errorHandler());
    const send = (url: string) =>
      app.inject({ method: "POST", url, headers: { "content-type": "application/json" }, payload: "{bad" });
    const ours = await send("/auth/app-route");
    expect([ours.statusCode, ours.json()]).to.deep.equal([400, { message: "The request body is not valid JSON" }]);
    const theirs = await send("/elsewhere");
    expect(theirs.statusCode).to.equal(400);
    expect(theirs.json()).to.have.property("code", "FST_ERR_CTP_INVALID_JSON_BODY");
    await app.close();
  });
});
