// Latchkey.getUsersNewestFirst / getUsersOldestFirst / getUserCount over every login method, on the run's database:
// keyset paging (ties on time_joined broken by user id), stability while users join, search, and bad input.
import { expect } from "chai";
import sinon from "sinon";
import Latchkey from "../../lib/index";
import type { User } from "../../lib/users";
import EmailPassword from "../../recipes/emailpassword/index";
import Passwordless from "../../recipes/passwordless/index";
import Session from "../../recipes/session/index";
import ThirdParty from "../../recipes/thirdparty/index";
import { initLatchkey, type TestLatchkey } from "../helpers/app";

const T0 = Date.UTC(2026, 0, 1);

/** Every page of a listing, following the tokens; fails on a loop. */
async function everyPage(
  list: (token: string | undefined) => Promise<Latchkey.UsersPage>,
): Promise<{ pages: User[][]; ids: string[] }> {
  const pages: User[][] = [];
  let token: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await list(token);
    pages.push(page.users);
    token = page.nextPaginationToken;
    if (token === undefined) return { pages, ids: pages.flat().map((u) => u.id) };
  }
  throw new Error("listing never ended");
}

async function expectBadInput(promise: Promise<unknown>, text: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(Latchkey.Error.isErrorFromAuth(err), "a LatchkeyError").to.equal(true);
  expect((err as Latchkey.Error).type).to.equal("BAD_INPUT_ERROR");
  expect((err as Latchkey.Error).message).to.contain(text);
}

describe("Latchkey.getUsersNewestFirst / getUsersOldestFirst / getUserCount", function () {
  let lk: TestLatchkey;
  let clock: sinon.SinonFakeTimers;
  // (timeJoined, id) of every user made, in the order the listing must give oldest first.
  let made: { id: string; timeJoined: number }[];

  async function at<T extends { status: string }>(time: number, create: () => Promise<T>): Promise<T> {
    clock.setSystemTime(time);
    const result = await create();
    expect(result.status).to.equal("OK");
    const user = (result as unknown as { user: { id: string } }).user;
    made.push({ id: user.id, timeJoined: time });
    return result;
  }

  function expectedOrder(): string[] {
    return [...made]
      .sort((a, b) => a.timeJoined - b.timeJoined || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((u) => u.id);
  }

  beforeEach(async function () {
    lk = initLatchkey([
      Session.init(),
      EmailPassword.init(),
      ThirdParty.init({
        signInAndUpFeature: {
          providers: [{ config: { thirdPartyId: "google", clients: [{ clientId: "id", clientSecret: "secret" }] } }],
        },
      }),
      Passwordless.init({ contactMethod: "EMAIL_OR_PHONE", flowType: "USER_INPUT_CODE" }),
    ]);
    made = [];
    clock = sinon.useFakeTimers({ now: T0, toFake: ["Date"] });
    await at(T0 + 1000, () => EmailPassword.signUp("ann@example.com", "password-123"));
    await at(T0 + 2000, () => ThirdParty.manuallyCreateOrUpdateUser("google", "g-1", "bob@gmail.com", true));
    await at(T0 + 3000, () => Passwordless.signInUp({ phoneNumber: "+14155550101" }));
    // Three who joined in the same millisecond: the user id orders them.
    await at(T0 + 4000, () => EmailPassword.signUp("cat@example.com", "password-123"));
    await at(T0 + 4000, () => Passwordless.signInUp({ email: "dan@example.org" }));
    await at(T0 + 4000, () => ThirdParty.manuallyCreateOrUpdateUser("github", "h-1", "eve@example.com", false));
    await at(T0 + 5000, () => Passwordless.signInUp({ phoneNumber: "+447700900123" }));
    await at(T0 + 6000, () => EmailPassword.signUp("a_b%c@example.com", "password-123", {}, "acme"));
  });

  afterEach(async () => {
    clock.restore();
    await lk.cleanup();
  });

  it("lists every user once, oldest first and newest first, at every page size", async () => {
    const oldest = expectedOrder();
    for (const limit of [1, 2, 3, 7, 8, 100]) {
      const asc = await everyPage((t) =>
        Latchkey.getUsersOldestFirst({ limit, ...(t === undefined ? {} : { paginationToken: t }) }),
      );
      expect(asc.ids, `oldest first, limit ${limit}`).to.deep.equal(oldest);
      expect(asc.pages.every((p) => p.length <= limit && p.length > 0)).to.equal(true);
      const desc = await everyPage((t) =>
        Latchkey.getUsersNewestFirst({ limit, ...(t === undefined ? {} : { paginationToken: t }) }),
      );
      expect(desc.ids, `newest first, limit ${limit}`).to.deep.equal([...oldest].reverse());
    }
  });

  it("returns users in Latchkey.getUser's shape", async () => {
    const { users } = await Latchkey.getUsersOldestFirst({ limit: 3 });
    for (const user of users) expect(user).to.deep.equal(await Latchkey.getUser(user.id));
    expect(users[1]?.thirdParty).to.deep.equal([{ id: "google", userId: "g-1" }]);
    expect(users[2]?.phoneNumbers).to.deep.equal(["+14155550101"]);
  });

  it("stays stable while users join: no user twice, none skipped, newcomers only where the order puts them", async () => {
    const before = expectedOrder();
    const first = await Latchkey.getUsersNewestFirst({ limit: 3 });
    const firstAsc = await Latchkey.getUsersOldestFirst({ limit: 3 });
    // Joiners after the first page: newer than everyone, and one with the same time as the newest.
    await at(T0 + 6000, () => EmailPassword.signUp("zed@example.com", "password-123"));
    await at(T0 + 9000, () => Passwordless.signInUp({ email: "new@example.com" }));
    const restDesc = await everyPage((t) =>
      Latchkey.getUsersNewestFirst({ limit: 3, paginationToken: t ?? first.nextPaginationToken ?? "" }),
    );
    const seenDesc = [...first.users.map((u) => u.id), ...restDesc.ids];
    expect(new Set(seenDesc).size).to.equal(seenDesc.length);
    for (const id of before) expect(seenDesc).to.include(id);
    const restAsc = await everyPage((t) =>
      Latchkey.getUsersOldestFirst({ limit: 3, paginationToken: t ?? firstAsc.nextPaginationToken ?? "" }),
    );
    const seenAsc = [...firstAsc.users.map((u) => u.id), ...restAsc.ids];
    // Oldest first, the newcomers come at the end, in join order.
    expect(seenAsc).to.deep.equal(expectedOrder());
  });

  it("filters by recipe and by tenant, and counts the same way", async () => {
    const ep = await Latchkey.getUsersNewestFirst({ includeRecipeIds: ["emailpassword"] });
    expect(ep.users.map((u) => u.loginMethods[0]?.recipeId)).to.deep.equal([
      "emailpassword",
      "emailpassword",
      "emailpassword",
    ]);
    expect(await Latchkey.getUserCount()).to.equal(8);
    expect(await Latchkey.getUserCount(["emailpassword"])).to.equal(3);
    expect(await Latchkey.getUserCount(["thirdparty", "passwordless"])).to.equal(5);
    expect(await Latchkey.getUserCount(undefined, "acme")).to.equal(1);
    expect(await Latchkey.getUserCount(["thirdparty"], "acme")).to.equal(0);
    expect(await Latchkey.getUserCount(["nosuchrecipe"])).to.equal(0);
    const acme = await Latchkey.getUsersOldestFirst({ tenantId: "acme" });
    expect(acme.users.map((u) => u.emails)).to.deep.equal([["a_b%c@example.com"]]);
  });

  it("searches by email, phone and provider prefixes, ';' between alternatives, wildcards taken literally", async () => {
    const emails = async (query: Latchkey.GetUsersInput["query"]) =>
      (await Latchkey.getUsersOldestFirst({ ...(query === undefined ? {} : { query }) })).users.flatMap((u) => [
        ...u.emails,
        ...u.phoneNumbers,
      ]);
    expect(await emails({ email: "ann" })).to.deep.equal(["ann@example.com"]);
    expect(await emails({ email: "ANN@EX" })).to.deep.equal(["ann@example.com"]);
    expect(await emails({ email: "bob; dan" })).to.deep.equal(["bob@gmail.com", "dan@example.org"]);
    expect(await emails({ phone: "+44" })).to.deep.equal(["+447700900123"]);
    expect(await emails({ phone: "+1415" })).to.deep.equal(["+14155550101"]);
    expect(await emails({ provider: "git" })).to.deep.equal(["eve@example.com"]);
    expect(await emails({ provider: "google;github" })).to.deep.equal(["bob@gmail.com", "eve@example.com"]);
    // Every field given must match: a provider and an email prefix of another user's find nobody.
    expect(await emails({ provider: "google", email: "eve" })).to.deep.equal([]);
    expect(await emails({ email: "%" })).to.deep.equal([]);
    expect(await emails({ email: "_" })).to.deep.equal([]);
    expect(await emails({ email: "a_b%" })).to.deep.equal(["a_b%c@example.com"]);
    expect(await emails({ email: "a!" })).to.deep.equal([]);
    expect(await emails({ email: " ; " })).to.have.length(8);
    // Search pages like the full listing.
    const paged = await everyPage((t) =>
      Latchkey.getUsersNewestFirst({
        limit: 1,
        query: { email: "a;b;c;d;e" },
        ...(t === undefined ? {} : { paginationToken: t }),
      }),
    );
    const whole = await Latchkey.getUsersNewestFirst({ query: { email: "a;b;c;d;e" } });
    expect(whole.users).to.have.length(6);
    expect(paged.ids).to.deep.equal(whole.users.map((u) => u.id));
    expect(paged.pages.every((p) => p.length === 1)).to.equal(true);
  });

  it("rejects a bad limit, token, query or recipe list with BAD_INPUT_ERROR", async () => {
    await expectBadInput(Latchkey.getUsersNewestFirst({ limit: 0 }), "limit");
    await expectBadInput(Latchkey.getUsersNewestFirst({ limit: 501 }), "limit");
    await expectBadInput(Latchkey.getUsersNewestFirst({ limit: 1.5 }), "limit");
    for (const token of [
      "",
      "x",
      "!!",
      Buffer.from("[1]").toString("base64url"),
      Buffer.from('[1.5,"a"]').toString("base64url"),
      Buffer.from('{"a":1}').toString("base64url"),
      "a".repeat(300),
    ]) {
      await expectBadInput(Latchkey.getUsersOldestFirst({ paginationToken: token }), "paginationToken");
    }
    await expectBadInput(
      Latchkey.getUsersNewestFirst({ query: { name: "x" } as unknown as Latchkey.GetUsersInput["query"] }),
      "query",
    );
    await expectBadInput(Latchkey.getUsersNewestFirst({ query: { email: "a\u0000" } }), "query.email");
    await expectBadInput(
      Latchkey.getUsersNewestFirst({ includeRecipeIds: "emailpassword" as unknown as string[] }),
      "includeRecipeIds",
    );
  });
});
