import { expect } from "chai";
import Latchkey from "../../lib/index";
import ThirdPartyEmailPassword from "../../recipes/thirdpartyemailpassword/index";
import { testDbKind } from "../helpers/db";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

// Found by the fuzz suite on PostgreSQL: GET /emailpassword/email/exists?email=%00 answered 500 through
// ThirdPartyEmailPassword, whose user view also asks the third-party table (text there cannot hold NUL).
describe(`thirdparty: text no database can store is never looked up or written (${testDbKind()})`, () => {
  let app: SessionTestApp;
  before(async () => {
    app = await startSessionApp(
      {},
      {
        extraRecipes: [
          ThirdPartyEmailPassword.init({
            bcryptCost: 4,
            providers: [{ config: { thirdPartyId: "google", clients: [{ clientId: "x" }] } }],
          }),
        ],
      },
    );
  });
  after(() => app.close());

  const cases = [
    ["NUL", "a\u0000b@example.com", "a%00b%40example.com"],
    ["an unpaired surrogate", "a\uD800@example.com", "a%ED%A0%80%40example.com"],
  ] as const;
  for (const [name, value, query] of cases) {
    it(`answers lookups with ${name} as "no such user", over HTTP and in code`, async () => {
      const reply = await app.client.request("GET", `/auth/emailpassword/email/exists?email=${query}`);
      expect(reply.status, JSON.stringify(reply.json)).to.be.within(200, 499);
      expect(await ThirdPartyEmailPassword.getUsersByEmail(value)).to.deep.equal([]);
      expect(await ThirdPartyEmailPassword.getUserById(value)).to.equal(undefined);
      expect(await ThirdPartyEmailPassword.getUserByThirdPartyInfo("google", value)).to.equal(undefined);
      expect(await Latchkey.getUser(value)).to.equal(undefined);
    });

    it(`refuses to create a provider user whose email or id has ${name} (BAD_INPUT_ERROR, nothing written)`, async () => {
      for (const [email, id] of [
        [value, "user-1"],
        ["ok@example.com", value],
      ]) {
        try {
          await ThirdPartyEmailPassword.thirdPartyManuallyCreateOrUpdateUser(
            "google",
            id as string,
            email as string,
            true,
          );
          expect.fail("accepted");
        } catch (err) {
          expect((err as { type?: string }).type).to.equal("BAD_INPUT_ERROR");
        }
      }
      expect(await ThirdPartyEmailPassword.getUsersByEmail("ok@example.com")).to.deep.equal([]);
    });
  }
});
