import { EmailPasswordError } from "../error";
import type { BaseRequest } from "../../../lib/framework/request";
import type { FormFieldInput } from "../types";

const MAX_FIELDS = 50;

/** Reads `formFields: [{ id, value }]` from the body; anything of another shape is a 400 with a clear message. */
export async function readFormFields(
  req: BaseRequest,
): Promise<{ body: Record<string, unknown>; formFields: FormFieldInput[] }> {
  const body = await req.getJSONBody();
  const raw = body.formFields;
  if (!Array.isArray(raw)) throw EmailPasswordError.badInput("formFields must be an array of { id, value }");
  if (raw.length > MAX_FIELDS) throw EmailPasswordError.badInput(`formFields has more than ${MAX_FIELDS} fields`);
  const formFields = raw.map((field: unknown, i) => {
    if (typeof field !== "object" || field === null || Array.isArray(field))
      throw EmailPasswordError.badInput(`formFields[${i}] must be an object { id, value }`);
    const { id, value } = field as { id?: unknown; value?: unknown };
    if (typeof id !== "string" || id === "")
      throw EmailPasswordError.badInput(`formFields[${i}].id must be a non-empty string`);
    return { id, value };
  });
  return { body, formFields };
}
