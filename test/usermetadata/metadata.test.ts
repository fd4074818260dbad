import { expect } from "chai";
import UserMetadata from "../../recipes/usermetadata/index";
import Session from "../../recipes/session/index";
import { testDbKind } from "../helpers/db";
import { initLatchkey, type TestLatchkey } from "../helpers/app";

describe(`usermetadata: one JSON object per user, merged one level deep (${testDbKind()})`, () => {
  let lk: TestLatchkey;
  beforeEach(() => {
    lk = initLatchkey([Session.init(), UserMetadata.init({ maxMetadataBytes: 1024 })]);
  });
  afterEach(() => lk.cleanup());

  it("get, update (shallow merge, null deletes a key, the result returned) and clear", async () => {
    expect(await UserMetadata.getUserMetadata("u1")).to.deep.equal({ status: "OK", metadata: {} });
    expect(await UserMetadata.updateUserMetadata("u1", { theme: "dark", prefs: { a: 1, b: 2 } })).to.deep.equal({
      status: "OK",
      metadata: { theme: "dark", prefs: { a: 1, b: 2 } },
    });
    // One level deep: "prefs" is replaced whole, not merged.
    expect(await UserMetadata.updateUserMetadata("u1", { prefs: { c: 3 }, theme: null, tags: ["x"] })).to.deep.equal({
      status: "OK",
      metadata: { prefs: { c: 3 }, tags: ["x"] },
    });
    expect(await UserMetadata.getUserMetadata("u1")).to.deep.equal({
      status: "OK",
      metadata: { prefs: { c: 3 }, tags: ["x"] },
    });
    expect((await UserMetadata.getUserMetadata("u2")).metadata).to.deep.equal({});
    expect(await UserMetadata.clearUserMetadata("u1")).to.deep.equal({ status: "OK" });
    expect((await UserMetadata.getUserMetadata("u1")).metadata).to.deep.equal({});
    expect(await UserMetadata.clearUserMetadata("never-had-any")).to.deep.equal({ status: "OK" });
  });

  it("concurrent updates of different keys of one user all survive (no lost update), first write included", async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((k, i) => UserMetadata.updateUserMetadata("racer", { [k]: i })));
    expect((await UserMetadata.getUserMetadata("racer")).metadata).to.deep.equal(
      Object.fromEntries(keys.map((k, i) => [k, i])),
    );
    await Promise.all(keys.map((k) => UserMetadata.updateUserMetadata("racer", { [k]: `${k}!` })));
    expect((await UserMetadata.getUserMetadata("racer")).metadata).to.deep.equal(
      Object.fromEntries(keys.map((k) => [k, `${k}!`])),
    );
  });

  it("metadata over the configured size is a typed error and leaves the stored object as it was", async () => {
    await UserMetadata.updateUserMetadata("big", { keep: "me" });
    const err = await UserMetadata.updateUserMetadata("big", { blob: "x".repeat(1100) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(UserMetadata.Error);
    const typed = err as InstanceType<typeof UserMetadata.Error>;
    expect(typed.type).to.equal("METADATA_TOO_LARGE_ERROR");
    expect(typed.payload).to.deep.include({ maxMetadataBytes: 1024 });
    expect((await UserMetadata.getUserMetadata("big")).metadata).to.deep.equal({ keep: "me" });
    // Right at the limit is fine (bytes of UTF-8 JSON).
    const fits = 1024 - JSON.stringify({ keep: "me", blob: "" }).length;
    expect((await UserMetadata.updateUserMetadata("big", { blob: "x".repeat(fits) })).status).to.equal("OK");
  });

  it("non-object updates, non-JSON values and bad user ids are a typed BAD_INPUT_ERROR, nothing written", async () => {
    const bad: [string, unknown][] = [
      ["metadataUpdate", null],
      ["metadataUpdate", ["a"]],
      ["metadataUpdate", "text"],
      ["metadataUpdate", { when: new Date() }],
      ["metadataUpdate", { n: Number.NaN }],
      ["metadataUpdate", { f: () => 1 }],
      ["metadataUpdate", { s: "\u0000" }],
    ];
    for (const [field, update] of bad) {
      const err = await UserMetadata.updateUserMetadata("u1", update as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(String(update))).to.be.instanceOf(UserMetadata.Error);
      expect((err as InstanceType<typeof UserMetadata.Error>).type).to.equal("BAD_INPUT_ERROR");
      expect((err as { payload: { field: string } }).payload.field).to.equal(field);
    }
    for (const userId of ["", "u".repeat(129), 7]) {
      const err = await UserMetadata.getUserMetadata(userId as string).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as InstanceType<typeof UserMetadata.Error>).type).to.equal("BAD_INPUT_ERROR");
    }
    expect((await UserMetadata.getUserMetadata("u1")).metadata).to.deep.equal({});
  });

  it("refuses a size limit that is not a positive integer at init", () => {
    expect(() => UserMetadata.init({ maxMetadataBytes: 0 })({} as never)).to.throw(/maxMetadataBytes/);
  });
});
