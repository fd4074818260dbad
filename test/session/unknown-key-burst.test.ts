// The first tokens signed with a key another process just made arrive in bursts (on a cluster: the other process
// is on another node). Every request of the burst must find the key, not only the one that looked it up: the
// others used to be refused as "try refresh token" for the next 5 s while the look-up was under way.
import { expect } from "chai";
import { resolveConnection } from "../../lib/db/connection";
import { Database } from "../../lib/db/database";
import { sessionMigrations } from "../../recipes/session/migrations";
import { SigningKeyStore } from "../../recipes/session/signingKeys";
import { dropTablesWithPrefix, rawKnex, testDatabaseUrl, testDbKind, uniquePrefix } from "../helpers/db";

describe(`session: a burst of tokens from a key this process has not seen (${testDbKind()})`, () => {
  it("every lookup of the burst finds the key another process made; a made-up kid is still refused", async function () {
    this.timeout(20_000);
    const url = testDatabaseUrl();
    const prefix = uniquePrefix();
    const maker = new Database(resolveConnection(url), prefix);
    maker.setMigrations(sessionMigrations);
    await maker.whenReady();
    // Both "processes" share the SQLite file or the server; each has its own pool and its own cache of keys.
    const verifier = new Database(resolveConnection(url), prefix);
    verifier.setMigrations(sessionMigrations);
    const raw = rawKnex(url);
    try {
      const interval = 3600_000;
      const verifierStore = new SigningKeyStore(verifier, interval, 60_000);
      await verifierStore.warm(); // the verifier has its own key already, as a running process has
      const { kid } = await new SigningKeyStore(maker, interval, 60_000).getSigningKey();
      // The maker's key is the slot's key, which the verifier already holds: make it unknown to the verifier by
      // having the maker rotate to a new algorithm's slot (a new key in the same table).
      const { kid: newKid } = await new SigningKeyStore(maker, interval, 60_000, "ES256").getSigningKey();
      expect(newKid).to.not.equal(kid);
      expect(verifierStore.getVerificationKey(newKid)).to.equal(undefined);
      const found = await Promise.all(Array.from({ length: 5 }, () => verifierStore.findUnknownKey(newKid)));
      expect(found.map((k) => k?.kid)).to.deep.equal(Array(5).fill(newKid));
      expect(await verifierStore.findUnknownKey("k-made-up")).to.equal(undefined);
    } finally {
      await maker.close();
      await verifier.close();
      await dropTablesWithPrefix(raw, prefix);
      await raw.destroy();
    }
  });
});
