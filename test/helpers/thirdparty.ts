import { expect } from "chai";
import { rawKnex } from "./db";
import type { TestOidcProvider } from "./oidc";
import type { SessionTestApp } from "./sessionApp";

/** Row counts of the tables a sign-in writes. */
export async function rowCounts(app: SessionTestApp, tables: string[]): Promise<Record<string, number>> {
  const knex = rawKnex(app.lk.url);
  try {
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const [row] = (await knex(`${app.lk.prefix}${table}`).count({ n: "*" })) as { n: number | string }[];
      counts[table] = Number(row?.n ?? 0);
    }
    return counts;
  } finally {
    await knex.destroy();
  }
}

/** Runs the frontend's part of the flow: get the URL, add a state, log in at the provider; returns the signinup body. */
export async function providerRedirect(
  app: SessionTestApp,
  idp: TestOidcProvider,
  accountId: string,
  thirdPartyId = "test-oidc",
) {
  const query = new URLSearchParams({ thirdPartyId, redirectURIOnProviderDashboard: idp.redirectURI });
  const url = await app.client.request("GET", `/auth/authorisationurl?${query}`);
  expect(url.status).to.equal(200);
  expect(url.json.status).to.equal("OK");
  const withState = new URL(String(url.json.urlWithQueryParams));
  withState.searchParams.set("state", "frontend-state");
  const back = await idp.authorise(withState.href, accountId);
  return {
    authorisationURL: withState,
    body: {
      thirdPartyId,
      redirectURIInfo: {
        redirectURIOnProviderDashboard: idp.redirectURI,
        redirectURIQueryParams: Object.fromEntries(back.searchParams),
        pkceCodeVerifier: url.json.pkceCodeVerifier,
      },
    },
  };
}
