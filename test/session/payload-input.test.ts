import { expect } from "chai";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

describe("session: payloads JSON cannot hold", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  /** The error a call rejects with, or undefined when it resolves. */
  const rejection = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as { type?: string; message?: string },
    );

  it("refuses a BigInt or a cycle in jwtPayload or sessionData with BAD_INPUT_ERROR naming the field, writing nothing", async () => {
    app = await startSessionApp();
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ["jwtPayload", { big: 10n }, {}],
      ["jwtPayload", cyclic, {}],
      ["sessionData", {}, { big: 10n }],
      ["sessionData", {}, cyclic],
    ];
    for (const [field, jwtPayload, sessionData] of cases) {
      const err = await rejection(
        Session.createNewSessionWithoutRequestResponse("u1", jwtPayload as never, sessionData as never),
      );
      expect(err?.type, field).to.equal("BAD_INPUT_ERROR");
      expect(err?.message).to.contain(field);
    }
    expect(await Session.getAllSessionHandlesForUser("u1")).to.deep.equal([]);
  });

  it("refuses them in mergeIntoAccessTokenPayload and updateSessionData too, leaving the session as it was", async () => {
    app = await startSessionApp();
    const session = await Session.createNewSessionWithoutRequestResponse("u1", { kept: 1 }, { kept: 2 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect((await rejection(session.mergeIntoAccessTokenPayload({ big: 1n } as never)))?.type).to.equal(
      "BAD_INPUT_ERROR",
    );
    expect((await rejection(session.updateSessionData(cyclic as never)))?.type).to.equal("BAD_INPUT_ERROR");
    const info = await Session.getSessionInformation(session.getHandle());
    expect(info?.sessionData).to.deep.equal({ kept: 2 });
    expect(info?.jwtPayload).to.include({ kept: 1 });
  });
});
