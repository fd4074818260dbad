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
  "recipes/session/framework/express.ts",
  "recipes/session/index.ts",
  "recipes/emailpassword/index.ts",
  "recipes/emailverification/index.ts",
  "recipes/thirdparty/index.ts",
  "recipes/passwordless/index.ts",
  "recipes/totp/index.ts",
  "recipes/userroles/index.ts",
  "recipes/usermetadata/index.ts",
];

// What the examples take as given: the modules under their documented names, and the app's own values.
const PRELUDE = `
import express from "express";
import Latchkey from "../../lib/index";
import { errorHandler, middleware } from "../../lib/framework/express/index";
import Session, { type SessionContainer } from "../../recipes/session/index";
import { type SessionRequest, verifySession } from "../../recipes/session/framework/express";
import EmailPassword from "../../recipes/emailpassword/index";
import EmailVerification, { EmailVerificationClaim } from "../../recipes/emailverification/index";
import ThirdParty from "../../recipes/thirdparty/index";
import Passwordless from "../../recipes/passwordless/index";
import TOTP from "../../recipes/totp/index";
import UserRoles, { PermissionClaim, UserRoleClaim } from "../../recipes/userroles/index";
import UserMetadata from "../../recipes/usermetadata/index";
declare const app: express.Express;
declare const appInfo: Latchkey.AppInfo;
declare const websiteDomain: string;
declare const userId: string, sessionHandle: string, accessToken: string, refreshToken: string, token: string;
declare const deviceId: string, preAuthSessionId: string, googleUserId: string, githubUserId: string;
declare const session: SessionContainer;
declare const res: express.Response;
declare const handler: express.RequestHandler;
declare const isAdmin: typeof EmailVerificationClaim;
declare function cors(options: object): express.RequestHandler;
declare function sendEmail(text: string): Promise<void>;
declare function sendLink(url: string): Promise<void>;
declare function sendResetLink(url: string): Promise<void>;
declare function showQrCode(uri: string): void;
void [express, Latchkey, errorHandler, middleware, Session, verifySession, EmailPassword, EmailVerification];
void [ThirdParty, Passwordless, TOTP, UserRoles, UserMetadata, PermissionClaim, UserRoleClaim];
export type { SessionRequest };
`;

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

describe("API reference: every public function has an example, and every example type-checks", () => {
  it("each exported function of Latchkey, the express adapter and the recipes' modules has an @example", () => {
    const missing = MODULES.flatMap((file) => functionsWithoutExample(file).map((name) => `${file}: ${name}`));
    expect(missing).to.deep.equal([]);
  });

  it("the examples compile against today's signatures", function () {
    this.timeout(180_000);
    const examples = MODULES.flatMap(examplesOf);
    expect(examples.length).to.be.at.least(80);
    const virtualPath = path.join(ROOT, "test/package/__examples__.ts");
    const body = examples
      .map((e, i) => `// ${e.where}\nexport async function example${i}(): Promise<void> {\n${e.code}\n}\n`)
      .join("\n");
    const text = `${PRELUDE}\n${body}`;
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
    host.readFile = (f) => (path.resolve(f) === virtualPath ? text : readFile(f));
    host.fileExists = (f) => path.resolve(f) === virtualPath || fileExists(f);
    host.getSourceFile = (f, lang, ...rest) =>
      path.resolve(f) === virtualPath ? ts.createSourceFile(f, text, lang, true) : getSourceFile(f, lang, ...rest);
    const program = ts.createProgram([virtualPath], options, host);
    const file = program.getSourceFile(virtualPath);
    if (file === undefined) throw new Error("the examples file was not loaded");
    const errors = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
      const at = d.start === undefined ? 0 : file.getLineAndCharacterOfPosition(d.start).line;
      // The comment above each example names where it is documented.
      const where =
        text
          .split("\n")
          .slice(0, at + 1)
          .reverse()
          .find((l) => l.startsWith("// ")) ?? "";
      return `${where.slice(3)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(errors).to.deep.equal([]);
  });
});
