import { expect } from "chai";
import ThirdParty from "../../recipes/thirdparty/index";
import { testDbKind } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

// A provider nobody answers for (port 9, discard): only the stored identities matter here.
const GONE = {
  config: { thirdPartyId: "gone", issuer: "http://127.0.0.1:9", requestTimeout: 200, clients: [{ clientId: "x" }] },
};

describe(`thirdparty: tenant ids compare byte for byte (${testDbKind()})`, () => {
  let app: SessionTestApp;
  before(async () => {
    app = await startSessionApp({}, { extraRecipes: [ThirdParty.init({ signInAndUpFeature: { providers: [GONE] } })] });
  });
  after(() => app.close());

  // MySQL's default collation compares "acme" equal to "ACME": without a binary collation on tenant_id, a provider
  // identity of one tenant signs in to the other (and the unique key refuses it a user of its own there).
  it("keeps acme's and ACME's provider identities apart, as every other table's tenant_id does", async () => {
    const lower = await ThirdParty.manuallyCreateOrUpdateUser(
      "gone",
      "same-sub",
      "case@example.com",
      false,
      {},
      "acme",
    );
    const upper = await ThirdParty.manuallyCreateOrUpdateUser(
      "gone",
      "same-sub",
      "case@example.com",
      false,
      {},
      "ACME",
    );
    if (lower.status !== "OK" || upper.status !== "OK") throw new Error("sign-in/up failed");
    expect(upper.createdNewUser).to.equal(true);
    expect(upper.user.id).to.not.equal(lower.user.id);
    expect(await ThirdParty.getUserByThirdPartyInfo("gone", "same-sub", {}, "Acme")).to.equal(undefined);
    expect((await ThirdParty.getUsersByEmail("case@example.com", {}, "ACME")).map((u) => u.id)).to.deep.equal([
      upper.user.id,
    ]);
  });
});
