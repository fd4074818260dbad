// The cluster suite's moving parts: the Galera script, app processes (one per node), and a client that plays the
// README's scenario with each step on another node.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The script that starts and stops the cluster. */
export const GALERA_SCRIPT = path.resolve(__dirname, "galera.sh");
const BASE_PORT = Number(process.env.LATCHKEY_GALERA_BASE_PORT ?? 3310);

/** The URL of node n (1-3). */
export function nodeUrl(n: number): string {
  return `mysql://root@127.0.0.1:${BASE_PORT + n}/test`;
}

/** Runs galera.sh with these arguments; rejects with its output when it fails. */
export async function galera(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run("bash", [GALERA_SCRIPT, ...args], { timeout: 240_000 });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`galera.sh ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? e.message}`, { cause: err });
  }
}

/** A fresh table prefix, so a round sees a deployment's first start. */
export function freshPrefix(): string {
  return `lkc_${crypto.randomBytes(4).toString("hex")}_`;
}

/** Options an app process takes (see appProcess.ts). */
export interface AppOptions {
  rateLimit?: unknown;
  accessTokenSigningKeyUpdateInterval?: number;
  readReplica?: string;
}

/** One app process on one node. */
export interface AppProcess {
  node: number;
  baseUrl: string;
  child: ChildProcess;
  output: string[];
}

/** Starts an app process on node `node`; resolves once it listens. */
export function startApp(where: number | string, prefix: string, options: AppOptions = {}): Promise<AppProcess> {
  const script = path.resolve(__dirname, "appProcess.ts");
  // A Galera node's number, or any database URL (the PostgreSQL primary of the replica tests: "node" 0).
  const node = typeof where === "number" ? where : 0;
  const url = typeof where === "number" ? nodeUrl(where) : where;
  const child = spawn(process.execPath, ["--require", "tsx/cjs", script, url, prefix, JSON.stringify(options)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`app process on node ${node} did not start: ${output.join("")}`)),
      30_000,
    );
    child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
    child.on("exit", (code) =>
      reject(new Error(`app process on node ${node} exited (${String(code)}): ${output.join("")}`)),
    );
    child.stdout?.once("data", (d: Buffer) => {
      clearTimeout(timer);
      resolve({ node, baseUrl: `http://127.0.0.1:${d.toString().trim()}`, child, output });
    });
  });
}

/** Stops app processes this suite started. */
export async function stopApps(apps: readonly AppProcess[]): Promise<void> {
  await Promise.all(
    apps.map(
      (a) =>
        new Promise<void>((resolve) => {
          if (a.child.exitCode !== null) return resolve();
          a.child.once("exit", () => resolve());
          a.child.kill("SIGTERM");
        }),
    ),
  );
}

/** An answer, reduced to what the suite checks. */
export interface Answer {
  status: number;
  json: Record<string, unknown>;
  access: string | null;
  refresh: string | null;
  node: number;
  step: string;
}

/** A header-mode request to one app process. */
export async function call(
  app: AppProcess,
  step: string,
  method: string,
  route: string,
  token?: string,
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = { "st-auth-mode": "header" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${app.baseUrl}${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return {
    status: res.status,
    json,
    access: res.headers.get("st-access-token"),
    refresh: res.headers.get("st-refresh-token"),
    node: app.node,
    step,
  };
}

/** Starts every app afresh on a new table prefix (as processes of a new deployment). */
export async function reinit(apps: readonly AppProcess[], prefix: string, options: AppOptions = {}): Promise<void> {
  await Promise.all(apps.map((a) => call(a, "reinit", "POST", "/__reinit", undefined, { prefix, options })));
}

/** What one process saw since its last (re)start. */
export interface Report {
  thefts: string[];
  errors: string[];
  retried: number;
  gaveUp: number;
}

/** What each process saw: theft reports, errors, and the write conflicts retried or given up on. */
export async function reports(apps: readonly AppProcess[]): Promise<Report[]> {
  return Promise.all(apps.map(async (a) => (await call(a, "report", "GET", "/__report")).json as unknown as Report));
}

/** Why an answer of the scenario is not what a working deployment gives; undefined when it is. */
export function wrongAnswer(a: Answer, user: string): string | undefined {
  const expected: Record<string, (x: Answer) => boolean> = {
    signup: (x) => x.status === 200 && x.json.status === "OK" && x.access !== null,
    signin: (x) => x.status === 200 && x.json.status === "OK" && x.access !== null && x.refresh !== null,
    verify: (x) => x.status === 200 && x.json.role === "member" && typeof x.json.userId === "string",
    refresh: (x) => x.status === 200 && x.access !== null && x.refresh !== null,
    verify2: (x) => x.status === 200 && x.json.role === "member",
    signout: (x) => x.status === 200 && x.json.status === "OK",
    afterSignout: (x) => x.status === 401,
  };
  const ok = expected[a.step];
  return ok === undefined || ok(a)
    ? undefined
    : `${user} ${a.step} on node ${a.node}: ${a.status} ${JSON.stringify(a.json)}`;
}

function form(email: string, password: string): { formFields: { id: string; value: string }[] } {
  return {
    formFields: [
      { id: "email", value: email },
      { id: "password", value: password },
    ],
  };
}

/**
 * The README's scenario for one user, each step on the next app process (round-robin): sign-up (a session through
 * the createNewSession override), sign-in, verify, refresh, verify with the new token, sign-out, and a check that the
 * signed-out token no longer refreshes. Returns every answer in order.
 */
export async function scenario(apps: readonly AppProcess[], user: string, start: number): Promise<Answer[]> {
  const at = (i: number): AppProcess => apps[(start + i) % apps.length] as AppProcess;
  const email = `${user}@example.com`;
  const answers: Answer[] = [];
  const step = async (a: Promise<Answer>): Promise<Answer> => {
    const answer = await a;
    answers.push(answer);
    return answer;
  };
  const up = await step(call(at(0), "signup", "POST", "/auth/signup", undefined, form(email, "correct-horse-1")));
  if (up.json.status !== "OK") return answers;
  const inn = await step(call(at(1), "signin", "POST", "/auth/signin", undefined, form(email, "correct-horse-1")));
  if (inn.json.status !== "OK" || inn.access === null || inn.refresh === null) return answers;
  await step(call(at(2), "verify", "GET", "/me", inn.access));
  const refreshed = await step(call(at(3), "refresh", "POST", "/auth/session/refresh", inn.refresh));
  if (refreshed.access === null) return answers;
  await step(call(at(4), "verify2", "GET", "/me", refreshed.access));
  await step(call(at(5), "signout", "POST", "/auth/signout", refreshed.access));
  const refreshToken = refreshed.refresh ?? "";
  await step(call(at(6), "afterSignout", "POST", "/auth/session/refresh", refreshToken));
  return answers;
}
