// The README's server for each framework is examples/readme/<name>.ts, word for word once its imports read
// "latchkey/..." (lint type-checks those files with the rest of the project), and each one, started as a user would
// start it, serves sign-up and a protected route. The servers use their default database, ./latchkey.sqlite in a
// temporary working directory, whatever LATCHKEY_TEST_DB says.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { HttpClient } from "../helpers/http";

const ROOT = path.resolve(__dirname, "../..");
const SERVERS = ["express", "fastify", "koa", "hono", "fetch"];
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The example file as the README shows it: no header comment, and the package's import paths. */
function asInReadme(file: string): string {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  while (lines[0]?.startsWith("//")) lines.shift();
  return lines
    .join("\n")
    .replace(/"\.\.\/\.\.\/lib\/index"/g, '"latchkey"')
    .replace(/"\.\.\/\.\.\/lib\/framework\/([a-z]+)"/g, '"latchkey/framework/$1"')
    .replace(/"\.\.\/\.\.\/recipes\/session\/framework\/([a-z]+)"/g, '"latchkey/recipe/session/framework/$1"')
    .replace(/"\.\.\/\.\.\/recipes\/([a-z]+)\/index"/g, '"latchkey/recipe/$1"')
    .trim();
}

/** The ```ts block after `<!-- server: examples/readme/<name>.ts -->` in the README. */
function readmeBlock(name: string): string | undefined {
  const marker = `<!-- server: examples/readme/${name}.ts -->\n\`\`\`ts\n`;
  const start = README.indexOf(marker);
  if (start === -1) return undefined;
  const from = start + marker.length;
  return README.slice(from, README.indexOf("\n```", from)).trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 25_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${output()}`);
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the server did not answer within 25 s: ${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe("the README's servers (examples/readme)", function () {
  this.timeout(60_000);
  let work: string;
  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-readme-"));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  for (const name of SERVERS) {
    const file = path.join(ROOT, "examples/readme", `${name}.ts`);

    it(`${name}: the README shows examples/readme/${name}.ts`, () => {
      expect(readmeBlock(name), `README block for ${name}`).to.equal(asInReadme(file));
    });

    it(`${name}: started as it is, it serves sign-up, the protected route and sign-out`, async () => {
      const port = await freePort();
      const cwd = fs.mkdtempSync(path.join(work, `${name}-`));
      const child = spawn(process.execPath, ["--require", require.resolve("tsx/cjs"), file], {
        cwd,
        env: { ...process.env, PORT: String(port) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
      try {
        const base = `http://localhost:${port}`;
        await waitUntilServing(`${base}/me`, child, () => output);
        const client = new HttpClient(base);
        client.defaultHeaders = { "st-auth-mode": "cookie" };
        expect((await client.request("GET", "/me")).status).to.equal(401);
        const up = await client.request("POST", "/auth/signup", {
          body: {
            formFields: [
              { id: "email", value: `${name}@readme.test` },
              { id: "password", value: "password1" },
            ],
          },
        });
        expect(up.json.status, JSON.stringify(up.json)).to.equal("OK");
        const me = await client.request("GET", "/me");
        expect(me.status).to.equal(200);
        expect(me.json).to.deep.equal({ userId: (up.json.user as { id: string }).id });
        expect((await client.request("POST", "/auth/signout")).json.status).to.equal("OK");
        expect((await client.request("GET", "/me")).status).to.equal(401);
        expect(fs.existsSync(path.join(cwd, "latchkey.sqlite"))).to.equal(true);
      } finally {
        child.kill();
        await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve)));
      }
    });
  }
});
