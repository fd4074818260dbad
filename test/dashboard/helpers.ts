// A running app with the dashboard and every recipe it shows, and a client for its API.
import { expect } from "chai";
import Latchkey from "../../lib/index";
import type { RecipeListFunction } from "../../lib/recipeModule";
import Dashboard from "../../recipes/dashboard/index";
import EmailPassword from "../../recipes/emailpassword/index";
import EmailVerification from "../../recipes/emailverification/index";
import Passwordless from "../../recipes/passwordless/index";
import Session from "../../recipes/session/index";
import ThirdParty from "../../recipes/thirdparty/index";
import UserMetadata from "../../recipes/usermetadata/index";
import UserRoles from "../../recipes/userroles/index";
import { initLatchkey, startApp, type TestLatchkey, type TestServer } from "../helpers/app";

/** The full key of the test apps. */
export const API_KEY = "full-key-0123456789abcdef";
/** The read-only key of the test apps. */
export const READ_ONLY_KEY = "read-only-key-0123456789";

const quiet = { override: (o: { sendEmail: unknown }) => ({ ...o, sendEmail: () => Promise.resolve() }) };

/** The recipes of a dashboard test app: every one the dashboard can show. */
export function dashboardRecipes(
  dashboard: RecipeListFunction = Dashboard.init({ apiKey: API_KEY, readOnlyApiKey: READ_ONLY_KEY }),
): RecipeListFunction[] {
  return [
    Session.init(),
    EmailPassword.init({ bcryptCost: 4 }),
    ThirdParty.init({
      signInAndUpFeature: {
        providers: [{ config: { thirdPartyId: "google", clients: [{ clientId: "id", clientSecret: "secret" }] } }],
      },
    }),
    Passwordless.init({ contactMethod: "EMAIL_OR_PHONE", flowType: "USER_INPUT_CODE" }),
    EmailVerification.init({ mode: "OPTIONAL", emailDelivery: quiet as never }),
    UserRoles.init(),
    UserMetadata.init({ maxMetadataBytes: 1024 }),
    dashboard,
  ];
}

/** An answer of the API. */
export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** A running app and a client that sends `key` as a bearer token (none when undefined). */
export interface DashboardApp {
  lk: TestLatchkey;
  server: TestServer;
  call(method: "GET" | "POST", path: string, params?: Record<string, unknown>, key?: string | null): Promise<Answer>;
  close(): Promise<void>;
}

/** Starts an app with these recipes; `call` uses the full key unless told otherwise (null: no header). */
export async function startDashboardApp(recipes: RecipeListFunction[] = dashboardRecipes()): Promise<DashboardApp> {
  const lk = initLatchkey(recipes);
  const server = await startApp();
  return {
    lk,
    server,
    async call(method, path, params = {}, key = API_KEY) {
      const headers: Record<string, string> = {};
      if (key !== null) headers.authorization = `Bearer ${key}`;
      let url = `${server.baseUrl}/auth/dashboard${path}`;
      let body: string | undefined;
      if (method === "GET") {
        const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
        if ([...query].length > 0) url += `?${query.toString()}`;
      } else {
        headers["content-type"] = "application/json";
        body = JSON.stringify(params);
      }
      const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await res.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // a page or a script
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async close() {
      await server.close();
      await lk.cleanup();
    },
  };
}

/** Signs up an emailpassword user; their id. */
export async function signUp(email: string): Promise<string> {
  const result = await EmailPassword.signUp(email, "password-123");
  if (result.status !== "OK") throw new Error(`sign-up of ${email} failed: ${result.status}`);
  return result.user.id;
}

/** Expects an OK answer and returns its body. */
export function ok(answer: Answer): Record<string, unknown> {
  expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
  expect(answer.body.status).to.equal("OK");
  return answer.body;
}

/** Latchkey's own user, for comparisons. */
export function getUser(userId: string): Promise<Latchkey.User | undefined> {
  return Latchkey.getUser(userId);
}
