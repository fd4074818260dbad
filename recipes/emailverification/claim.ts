import { LatchkeyError } from "../../lib/error";
import { Latchkey } from "../../lib/latchkey";
import type { RecipeModule } from "../../lib/recipeModule";
import type { RecipeInterface } from "./types";
import type { UserContext } from "../../lib/types";
import { BooleanClaim, type SessionClaimValidator } from "../session/index";
import { isTrueRefetchingFalse } from "../../lib/claims";

/** The email address Latchkey knows for the user (from whichever login recipe has them), if any. */
export async function emailForUser(userId: string, userContext: UserContext): Promise<string | undefined> {
  return (await Latchkey.getInstanceOrThrow().getUser(userId, userContext))?.email;
}

/**
 * Whether the session's user has verified their email, kept in the access token under "st-ev" (the key the
 * SuperTokens frontend SDKs read). A user without an email address counts as verified.
 */
export class EmailVerificationClaimClass extends BooleanClaim {
  constructor() {
    super("st-ev", async (userId, userContext) => {
      const email = await emailForUser(userId, userContext);
      if (email === undefined) return true;
      // Looked up by id: the recipe module imports this claim, so it cannot be imported here.
      const recipe = Latchkey.getInstanceOrThrow().recipes.find((r) => r.recipeId === "emailverification") as
        | (RecipeModule & { recipeInterfaceImpl: RecipeInterface })
        | undefined;
      if (recipe === undefined) throw new LatchkeyError("NOT_INITIALISED", "The emailverification recipe is not initialised: add EmailVerification.init() to recipeList");
      return recipe.recipeInterfaceImpl.isEmailVerified({ userId, email, userContext });
    });
  }

  readonly emailValidators = {
    /** Valid when verified; a false value is fetched again after `refetchTimeOnFalseInSeconds` (default 10). */
    isVerified: (refetchTimeOnFalseInSeconds = 10, maxAgeInSeconds?: number): SessionClaimValidator =>
      isTrueRefetchingFalse(this, refetchTimeOnFalseInSeconds, maxAgeInSeconds),
  };
}

/** The email verification claim every session gets when the EmailVerification recipe is in the recipe list. */
export const EmailVerificationClaim = new EmailVerificationClaimClass();
