import type { APIInterface } from "../types";

/** The original APIInterface: empty. SuperTokens' usermetadata recipe serves no frontend route either. */
export function makeAPIImplementation(): APIInterface {
  return {};
}
