import { expect } from "chai";
import sinon from "sinon";
import { Latchkey as Core } from "../../lib/latchkey";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

// Fault injection (sinon): the database layer fails as a dropped connection would.
function connectionLost(): Error {
  return Object.assign(new Error("Connection lost: The server closed the connection."), {
    code: "PROTOCOL_CONNECTION_LOST",
  });
}

describe("session: database faults never log anyone out", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    sinon.restore();
    await app?.close();
    app = undefined;
  });

  async function loggedIn(): Promise<SessionTestApp> {
    app = await startSessionApp();
    app.client.defaultHeaders = { "st-auth-mode": "cookie" };
    await app.client.request("POST", "/login", { body: { userId: "u1" } });
    return app;
  }

  it("a fault during refresh answers GENERAL_ERROR (500), clears nothing, and the session refreshes once the database is back", async () => {
    const { client } = await loggedIn();
    const before = new Map(client.jar);
    const db = Core.getInstanceOrThrow().database;
    // A refresh reads and writes through run(), and through transaction() when it must lock: both fail.
    const stubs = [
      sinon.stub(db, "run").rejects(db.toLatchkeyError(connectionLost())),
      sinon.stub(db, "transaction").rejects(db.toLatchkeyError(connectionLost())),
    ];
    const res = await client.request("POST", "/auth/session/refresh");
    expect(res.status).to.equal(500);
    expect(res.json).to.deep.equal({ status: "GENERAL_ERROR", message: "Internal error" });
    expect(res.setCookies).to.deep.equal([]);
    expect(res.headers.get("front-token")).to.equal(null);
    expect(client.jar).to.deep.equal(before);
    for (const stub of stubs) stub.restore();
    expect((await client.request("POST", "/auth/session/refresh")).status).to.equal(200);
    expect((await client.request("GET", "/protected")).json.userId).to.equal("u1");
  });

  it("a fault during sign-out (revoke) answers 500 and keeps the session and cookies", async () => {
    const { client } = await loggedIn();
    const handle = (await client.request("GET", "/protected")).json.handle as string;
    const db = Core.getInstanceOrThrow().database;
    const stub = sinon.stub(db, "run").rejects(db.toLatchkeyError(connectionLost()));
    const res = await client.request("POST", "/auth/signout", { body: {} });
    expect(res.status).to.equal(500);
    expect(res.setCookies).to.deep.equal([]);
    stub.restore();
    expect(await Session.getSessionInformation(handle)).to.not.equal(undefined);
    expect((await client.request("GET", "/protected")).status).to.equal(200);
  });

  it("a fault during the first use of a refreshed token answers 500, not 401, and the token works after", async () => {
    const { client } = await loggedIn();
    await client.request("POST", "/auth/session/refresh");
    const db = Core.getInstanceOrThrow().database;
    const stub = sinon.stub(db, "run").rejects(db.toLatchkeyError(connectionLost()));
    const res = await client.request("GET", "/protected");
    expect(res.status).to.equal(500);
    expect(res.setCookies).to.deep.equal([]);
    stub.restore();
    expect((await client.request("GET", "/protected")).json.userId).to.equal("u1");
  });
});
