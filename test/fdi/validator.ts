// Validates Latchkey's answers against the vendored FDI spec (test/fdi/api_spec.yaml). The spec's objects list their
// properties but do not close them; here every object schema is closed (no property the spec does not name), and an
// object with a `status` property must have one, so an extra field (or a missing status) fails the test.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

// Both ship in node_modules already (ajv with eslint, js-yaml with mocha); the suite installs nothing of its own.
const load = createRequire(__filename);
const yaml = load("js-yaml") as { load(text: string): unknown };
interface AjvInstance {
  addSchema(schema: object, key: string): AjvInstance;
  validate(schema: object, data: unknown): boolean;
  errorsText(errors?: unknown): string;
  errors?: unknown;
}
const Ajv = load("ajv") as new (options: object) => AjvInstance;

type Json = Record<string, unknown>;
interface SpecResponse {
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: Json }>;
  $ref?: string;
}

/** The vendored spec, parsed. */
export const spec = yaml.load(fs.readFileSync(path.join(__dirname, "api_spec.yaml"), "utf8")) as {
  info: { version: string };
  paths: Record<string, Record<string, { responses: Record<string, SpecResponse> }>>;
  components: { schemas: Json; responses: Record<string, SpecResponse> };
};

function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === "example") continue; // OpenAPI's, not JSON Schema's
    if (key === "$ref" && typeof value === "string") out[key] = value.replace(/^#/, "fdi#");
    else
      out[key] =
        key === "properties"
          ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, closed(v)]))
          : closed(value);
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
    if ("status" in (out.properties as Json)) out.required = ["status"];
  }
  return out;
}

// logger off: the spec names a schema "id", which ajv 6 would warn about as a schema id on every compile.
const ajv = new Ajv({ allErrors: true, unknownFormats: "ignore", logger: false });
ajv.addSchema({ components: closed(spec.components) as Json }, "fdi");

function resolve(response: SpecResponse): SpecResponse {
  const ref = response.$ref;
  if (ref === undefined) return response;
  const name = ref.replace("#/components/responses/", "");
  const found = spec.components.responses[name];
  if (found === undefined) throw new Error(`the spec has no response ${ref}`);
  return found;
}

// Headers the FDI leaves to HTTP and CORS, which any route may send.
const TRANSPORT_HEADERS = new Set([
  "content-type",
  "content-length",
  "date",
  "connection",
  "keep-alive",
  "etag",
  "x-powered-by",
  "vary",
  "access-control-allow-origin",
  "access-control-allow-credentials",
  "access-control-expose-headers",
  "transfer-encoding",
  "cache-control",
]);
// The session's token headers: sent wherever the session's tokens change, as supertokens-node sends them.
const SESSION_HEADERS = new Set(["front-token", "st-access-token", "st-refresh-token", "anti-csrf", "set-cookie"]);

/** What a route's answer must satisfy: its status documented, its JSON body one of the documented schemas. */
export function problemsWith(
  specPath: string,
  method: string,
  reply: { status: number; json: unknown; headers: Headers },
  options: { sessionHeadersAllowed: boolean },
): string[] {
  const operation = spec.paths[specPath]?.[method.toLowerCase()];
  if (operation === undefined) return [`the spec has no ${method} ${specPath}`];
  const documented = operation.responses[String(reply.status)];
  if (documented === undefined) return [`status ${reply.status} is not documented for ${method} ${specPath}`];
  const response = resolve(documented);
  const problems: string[] = [];
  const schema = response.content?.["application/json"]?.schema;
  if (schema !== undefined) {
    if (!ajv.validate(closed(schema) as Json, reply.json)) {
      problems.push(`body ${JSON.stringify(reply.json)}: ${ajv.errorsText(ajv.errors)}`);
    }
  }
  const listed = new Set(Object.keys(response.headers ?? {}).map((h) => h.toLowerCase()));
  reply.headers.forEach((_value, name) => {
    const header = name.toLowerCase();
    if (TRANSPORT_HEADERS.has(header) || listed.has(header)) return;
    if (SESSION_HEADERS.has(header) && options.sessionHeadersAllowed) return;
    problems.push(`header ${header} is not documented for ${method} ${specPath}`);
  });
  return problems;
}
