import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import ts from "typescript";

// The API reference's examples (issue 22 item 8) are code people paste: each public function of these modules has
// one, and every one type-checks against today's signatures.
const ROOT = path.resolve(__dirname, "../..");
const MODULES = [
  "lib/index.ts",
  "lib/framework/express/index.ts",
  "lib/framework/fetch/index.ts",
  "lib/framework/fastify/index.ts",
  "lib/framework/koa/index.ts",
  "lib/framework/hono/index.ts",
  "lib/framework/nextjs/index.ts",
  "recipes/session/framework/express.ts",
  "recipes/session/framework/fetch.ts",
  "recipes/session/framework/fastify.ts",
  "recipes/session/framework/koa.ts",
  "recipes/session/framework/hono.ts",
  "recipes/session/framework/nextjs.ts",
  "recipes/session/index.ts",
  "recipes/emailpassword/index.ts",
  "recipes/emailverification/index.ts",
  "recipes/thirdparty/index.ts",
  "recipes/thirdpartyemailpassword/index.ts",
  "recipes/passwordless/index.ts",
  "recipes/totp/index.ts",
  "recipes/userroles/index.ts",
  "recipes/usermetadata/index.ts",
  "recipes/multifactorauth/index.ts",
  "recipes/multitenancy/index.ts",
  "recipes/dashboard/index.ts",
];

// What every example takes as given: the recipes under their documented names, and the app's own values.
const COMMON = `
import Latchkey from "../../lib/index";
import Session, { type SessionContainer } from "../../recipes/session/index";
import EmailPassword from "../../recipes/emailpassword/index";
import EmailVerification, { EmailVerificationClaim } from "../../recipes/emailverification/index";
import ThirdParty from "../../recipes/thirdparty/index";
import ThirdPartyEmailPassword from "../../recipes/thirdpartyemailpassword/index";
import Passwordless from "../../recipes/passwordless/index";
import TOTP from "../../recipes/totp/index";
import UserRoles, { PermissionClaim, UserRoleClaim } from "../../recipes/userroles/index";
import UserMetadata from "../../recipes/usermetadata/index";
import MultiFactorAuth, { FactorIds, MultiFactorAuthClaim } from "../../recipes/multifactorauth/index";
import Multitenancy, { TenantIdClaim } from "../../recipes/multitenancy/index";
import Dashboard from "../../recipes/dashboard/index";
declare const appInfo: Latchkey.AppInfo;
declare const websiteDomain: string;
declare const userId: string, sessionHandle: string, accessToken: string, refreshToken: string, token: string;
declare const deviceId: string, preAuthSessionId: string, googleUserId: string, githubUserId: string;
declare const session: SessionContainer;
declare const request: Request;
declare const isAdmin: typeof EmailVerificationClaim;
declare function sendEmail(text: string): Promise<void>;
declare function sendLink(url: string): Promise<void>;
declare function sendResetLink(url: string): Promise<void>;
declare function showQrCode(uri: string): void;
void [Latchkey, Session, EmailPassword, EmailVerification, ThirdParty, ThirdPartyEmailPassword, Passwordless, TOTP];
void [UserRoles, UserMetadata, PermissionClaim, UserRoleClaim, MultiFactorAuth, FactorIds, MultiFactorAuthClaim];
void [Multitenancy, TenantIdClaim, Dashboard];
`;

// The framework an example is written for: express unless its module is another framework's adapter.
const EXPRESS = `
import express from "express";
import { errorHandler, middleware } from "../../lib/framework/express/index";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/express";
declare const app: express.Express;
declare const res: express.Response;
declare const handler: express.RequestHandler;
declare function cors(options: object): express.RequestHandler;
void [errorHandler, middleware, verifySession];
export type { SessionRequest };
`;
const FRAMEWORKS: Record<string, string> = {
  "lib/framework/fetch/index.ts": `
import { appendHeaders, errorToResponse, getSession, handler } from "../../lib/framework/fetch/index";
declare const remoteAddress: string | undefined;
declare const err: unknown, headers: Headers;
void [appendHeaders, errorToResponse, getSession, handler];
`,
  "recipes/session/framework/fetch.ts": `
import { appendHeaders, errorToResponse } from "../../lib/framework/fetch/index";
import { getSession } from "../../recipes/session/framework/fetch";
void [appendHeaders, errorToResponse, getSession];
`,
  "lib/framework/fastify/index.ts": `
import Fastify, { type FastifyInstance } from "fastify";
import { errorHandler, plugin, wrapRequest, wrapResponse } from "../../lib/framework/fastify/index";
declare const app: FastifyInstance;
void [Fastify, errorHandler, plugin, wrapRequest, wrapResponse];
`,
  "recipes/session/framework/fastify.ts": `
import type { FastifyInstance } from "fastify";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/fastify";
declare const app: FastifyInstance;
void verifySession;
export type { SessionRequest };
`,
  "lib/framework/koa/index.ts": `
import Koa from "koa";
import { errorHandler, middleware, wrapRequest, wrapResponse } from "../../lib/framework/koa/index";
declare const app: Koa;
void [errorHandler, middleware, wrapRequest, wrapResponse];
`,
  "recipes/session/framework/koa.ts": `
import Koa from "koa";
import { type SessionContext, verifySession } from "../../recipes/session/framework/koa";
declare const app: Koa;
void verifySession;
export type { SessionContext };
`,
  "lib/framework/hono/index.ts": `
import { Hono } from "hono";
import { errorHandler, HeadersResponse, middleware, wrapRequest } from "../../lib/framework/hono/index";
declare const app: Hono;
void [errorHandler, HeadersResponse, middleware, wrapRequest];
`,
  "recipes/session/framework/hono.ts": `
import { Hono } from "hono";
import { type SessionVariables, verifySession } from "../../recipes/session/framework/hono";
void [Hono, verifySession];
export type { SessionVariables };
`,
  "lib/framework/nextjs/index.ts": `
import { headers } from "next/headers";
import { errorToResponse, getSession, requestFromHeaders, routeHandlers } from "../../lib/framework/nextjs/index";
import { getSessionForRequest } from "../../recipes/session/framework/nextjs";
void [headers, errorToResponse, getSession, requestFromHeaders, routeHandlers, getSessionForRequest];
`,
  "recipes/session/framework/nextjs.ts": `
import { errorToResponse } from "../../lib/framework/nextjs/index";
import { getSession, getSessionForRequest } from "../../recipes/session/framework/nextjs";
void [errorToResponse, getSession, getSessionForRequest];
`,
};

/** What the examples of a module take as given: the recipes, and its framework's imports and values. */
function preludeOf(file: string): string {
  return `${COMMON}${FRAMEWORKS[file] ?? EXPRESS}`;
}

interface Example {
  where: string;
  code: string;
}

/** The fenced ```ts blocks after each @example tag of a file, with the line they start on. */
function examplesOf(file: string): Example[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const found: Example[] = [];
  for (const match of text.matchAll(/@example\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)) {
    const line = text.slice(0, match.index).split("\n").length;
    const code = (match[1] ?? "")
      .split("\n")
      .map((l) => l.replace(/^\s*\* ?/, ""))
      .join("\n");
    found.push({ where: `${file}:${line}`, code });
  }
  return found;
}

/** The public functions of a module (exported functions, and Latchkey's static methods) without an @example. */
function functionsWithoutExample(file: string): string[] {
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(path.join(ROOT, file), "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  const missing: string[] = [];
  const check = (node: ts.Node, name: string) => {
    // The doc comment of an overloaded function sits on its first signature.
    const docs = ts.getJSDocTags(node).some((tag) => tag.tagName.text === "example");
    if (!docs) missing.push(name);
  };
  const seen = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name !== undefined) {
      const exported = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
      if (exported && !seen.has(node.name.text)) {
        seen.add(node.name.text);
        check(node, node.name.text);
      }
    }
    if (ts.isMethodDeclaration(node) && ts.isIdentifier(node.name)) {
      const isStatic = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) ?? false;
      if (isStatic) check(node, `static ${node.name.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return missing;
}

// Marks the line above each example in the checked files: the place it is documented, for the error messages.
const WHERE = "// example at ";

interface ExamplesFile {
  path: string;
  text: string;
}

/**
 * The files the examples of a module are checked in, beside this test: one with each example as the body of a
 * function (they may `await` and `return`), and one per example that exports at its top level (a Next.js route file).
 */
function examplesFilesOf(module: string): ExamplesFile[] {
  const slug = module.replace(/\.ts$/, "").replace(/[^a-z0-9]+/gi, "_");
  const prelude = preludeOf(module);
  const at = (suffix: string) => path.join(ROOT, `test/package/__examples_${slug}${suffix}__.ts`);
  const examples = examplesOf(module);
  const topLevel = examples.filter((e) => /^export /m.test(e.code));
  const body = examples
    .filter((e) => !topLevel.includes(e))
    .map((e, i) => `${WHERE}${e.where}\nexport async function example${i}() {\n${e.code}\n}\n`)
    .join("\n");
  return [
    { path: at(""), text: `${prelude}\n${body}` },
    ...topLevel.map((e, i) => ({ path: at(`_${i}`), text: `${prelude}\n${WHERE}${e.where}\n${e.code}\n` })),
  ];
}

describe("API reference: every public function has an example, and every example type-checks", () => {
  it("each exported function of Latchkey, the framework adapters and the recipes' modules has an @example", () => {
    const missing = MODULES.flatMap((file) => functionsWithoutExample(file).map((name) => `${file}: ${name}`));
    expect(missing).to.deep.equal([]);
  });

  it("the examples compile against today's signatures", function () {
    this.timeout(180_000);
    expect(MODULES.flatMap(examplesOf).length).to.be.at.least(140);
    const files = MODULES.flatMap(examplesFilesOf);
    const texts = new Map(files.map((f) => [f.path, f.text]));
    const config = ts.getParsedCommandLineOfConfigFile(
      path.join(ROOT, "tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        },
      },
    );
    if (config === undefined) throw new Error("tsconfig.json could not be read");
    const options: ts.CompilerOptions = { ...config.options, noEmit: true, noUnusedLocals: false };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    const virtual = (f: string) => texts.get(path.resolve(f));
    host.readFile = (f) => virtual(f) ?? readFile(f);
    host.fileExists = (f) => virtual(f) !== undefined || fileExists(f);
    host.getSourceFile = (f, lang, ...rest) => {
      const text = virtual(f);
      return text === undefined ? getSourceFile(f, lang, ...rest) : ts.createSourceFile(f, text, lang, true);
    };
    const program = ts.createProgram([...texts.keys()], options, host);
    const errors = [...texts].flatMap(([virtualPath, text]) => {
      const file = program.getSourceFile(virtualPath);
      if (file === undefined) throw new Error(`${virtualPath} was not loaded`);
      return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
        const at = d.start === undefined ? 0 : file.getLineAndCharacterOfPosition(d.start).line;
        // The comment above each example names where it is documented.
        const where =
          text
            .split("\n")
            .slice(0, at + 1)
            .reverse()
            .find((l) => l.startsWith(WHERE)) ?? `${WHERE}${path.basename(virtualPath)}`;
        return `${where.slice(WHERE.length)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
      });
    });
    expect(errors, errors.join("\n")).to.deep.equal([]);
  });
});
