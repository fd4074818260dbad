import { LatchkeyError } from "../../lib/error";
// A preset raises its inner recipes' errors; their types come from their public index.ts.
import type { Error as EmailPasswordErrorClass } from "../emailpassword/index";
import type { Error as ThirdPartyErrorClass } from "../thirdparty/index";

/** What ThirdPartyEmailPassword's functions raise: the errors of the two recipes it is made of. */
export type ThirdPartyEmailPasswordError =
  InstanceType<typeof EmailPasswordErrorClass> | InstanceType<typeof ThirdPartyErrorClass>;

/**
 * The preset's `Error`: the base class of every Latchkey error, so `instanceof` and `isErrorFromAuth` hold for both
 * inner recipes' errors (narrow with their own `Error` classes' guards).
 */
export const ThirdPartyEmailPasswordErrorClass = LatchkeyError;
