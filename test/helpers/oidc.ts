import { startDemoProvider } from "../../examples/express-shop/demoProvider";

/** A real OpenID provider (the oidc-provider package) on loopback, with one confidential client. */
export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectURI: string;
  /** Logs `accountId` in and consents, as a browser would: returns the redirect back to the app, with code and state. */
  authorise(urlWithQueryParams: string, accountId: string): Promise<URL>;
  close(): Promise<void>;
}

/** Starts oidc-provider on 127.0.0.1 with its development login pages (the example shop's demo provider). */
export async function startOidcProvider(
  redirectURI = "http://localhost:3000/auth/callback/test-oidc",
): Promise<TestOidcProvider> {
  const provider = await startDemoProvider([redirectURI]);
  return { ...provider, redirectURI, authorise: (url, accountId) => browse(url, accountId, redirectURI) };
}

// Follows the provider's redirects with a cookie jar, filling in its login and consent pages.
async function browse(start: string, accountId: string, redirectURI: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = start;
  let form: URLSearchParams | undefined;
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, {
      method: form === undefined ? "GET" : "POST",
      body: form,
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
      redirect: "manual",
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const eq = pair.indexOf("=");
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      const next = new URL(location, url);
      if (next.href.startsWith(redirectURI)) return next;
      url = next.href;
      form = undefined;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`provider answered ${response.status}: ${html.slice(0, 200)}`);
    form = html.includes('name="prompt" value="login"')
      ? new URLSearchParams({ prompt: "login", login: accountId, password: "any" })
      : new URLSearchParams({ prompt: "consent" });
  }
  throw new Error("the provider never sent the browser back");
}
