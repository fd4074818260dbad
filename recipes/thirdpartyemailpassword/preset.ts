// ThirdPartyEmailPassword is a preset: the emailpassword and thirdparty recipes, built through their public init()
// (composing them is the point of this recipe, so it calls their index.ts, never their internals), with one
// override over both mapped onto theirs.
import { configError } from "../../lib/error";
import { buildImplementation } from "../../lib/override";
import type { RecipeContext, RecipeModule } from "../../lib/recipeModule";
import { assertPlainObject } from "../../lib/validate";
import EmailPassword from "../emailpassword/index";
import type {
  APIInterface as EmailPasswordAPIInterface,
  RecipeInterface as EmailPasswordRecipeInterface,
} from "../emailpassword/index";
import ThirdParty from "../thirdparty/index";
import type {
  APIInterface as ThirdPartyAPIInterface,
  RecipeInterface as ThirdPartyRecipeInterface,
} from "../thirdparty/index";
import { makeAPIImplementation } from "./api/implementation";
import { ThirdPartyEmailPasswordRecipe } from "./recipe";
import { makeRecipeImplementation } from "./recipeImplementation";
import type { APIInterface, RecipeInterface, TypeInput } from "./types";
import { emailPasswordAPIView, emailPasswordView, thirdPartyAPIView, thirdPartyView } from "./views";

const LABEL = "ThirdPartyEmailPassword.init";

/**
 * What the inner recipes' overrides hand over: their original implementations (each inner recipe builds its own
 * and gives it to its `override`), and then the combined final implementation built from them.
 */
class Composition {
  private emailPasswordFunctions: EmailPasswordRecipeInterface | undefined;
  private thirdPartyFunctions: ThirdPartyRecipeInterface | undefined;
  private emailPasswordAPIs: EmailPasswordAPIInterface | undefined;
  private thirdPartyAPIs: ThirdPartyAPIInterface | undefined;
  private functions: RecipeInterface | undefined;
  private apis: APIInterface | undefined;

  /** EmailPassword's `override.functions`: keeps its original, answers with a view of the combined final functions. */
  readonly overrideEmailPasswordFunctions = (original: EmailPasswordRecipeInterface): EmailPasswordRecipeInterface => {
    this.emailPasswordFunctions = original;
    return emailPasswordView(this.finalFunctions);
  };

  /** ThirdParty's `override.functions`, likewise. */
  readonly overrideThirdPartyFunctions = (original: ThirdPartyRecipeInterface): ThirdPartyRecipeInterface => {
    this.thirdPartyFunctions = original;
    return thirdPartyView(this.finalFunctions);
  };

  /** EmailPassword's `override.apis`: keeps its original, answers with a view of the combined final APIs. */
  readonly overrideEmailPasswordAPIs = (original: EmailPasswordAPIInterface): EmailPasswordAPIInterface => {
    this.emailPasswordAPIs = original;
    return emailPasswordAPIView(() => this.apis, original);
  };

  /** ThirdParty's `override.apis`, likewise. */
  readonly overrideThirdPartyAPIs = (original: ThirdPartyAPIInterface): ThirdPartyAPIInterface => {
    this.thirdPartyAPIs = original;
    return thirdPartyAPIView(() => this.apis, original);
  };

  /** The combined final functions; the inner recipes call them only once both are built. */
  readonly finalFunctions = (): RecipeInterface => {
    if (this.functions === undefined)
      throw configError(LABEL, "a function was called while the recipe was still being built");
    return this.functions;
  };

  /** Builds the combined implementations from both originals and the user's override (once both inner recipes exist). */
  build(override: TypeInput["override"]): { functions: RecipeInterface; apis: APIInterface } {
    const {
      emailPasswordFunctions: ep,
      thirdPartyFunctions: tp,
      emailPasswordAPIs: epAPIs,
      thirdPartyAPIs: tpAPIs,
    } = this;
    if (ep === undefined || tp === undefined || epAPIs === undefined || tpAPIs === undefined) {
      throw configError(LABEL, "the emailpassword and thirdparty recipes did not hand over their implementations");
    }
    this.functions = buildImplementation<RecipeInterface>(
      `${LABEL}.override.functions`,
      () => makeRecipeImplementation(ep, tp),
      override?.functions,
      { allowDisabled: false },
    );
    this.apis = buildImplementation<APIInterface>(
      `${LABEL}.override.apis`,
      () => makeAPIImplementation(epAPIs, tpAPIs),
      override?.apis,
      { allowDisabled: true },
    );
    return { functions: this.functions, apis: this.apis };
  }
}

/** Builds ThirdPartyEmailPassword's recipes: its own (listed first) and the emailpassword and thirdparty ones. */
export function buildThirdPartyEmailPassword(context: RecipeContext, input: TypeInput | undefined): RecipeModule[] {
  // Each option is checked by the recipe it goes to; here only that there is an object to split.
  const raw: unknown = input ?? {};
  assertPlainObject(LABEL, raw);
  const { providers, override, sessionFeature, ...emailPasswordOptions } = input ?? {};
  const composition = new Composition();
  const emailPassword = EmailPassword.init({
    ...emailPasswordOptions,
    sessionFeature,
    override: { functions: composition.overrideEmailPasswordFunctions, apis: composition.overrideEmailPasswordAPIs },
  })(context);
  // Without providers the thirdparty recipe answers only /loginmethods (which then says email/password only).
  const thirdParty = ThirdParty.init({
    signInAndUpFeature: { providers: providers ?? [] },
    sessionFeature,
    override: { functions: composition.overrideThirdPartyFunctions, apis: composition.overrideThirdPartyAPIs },
  })(context);
  const { functions, apis } = composition.build(override);
  const inner = [emailPassword, thirdParty].flat();
  // Listing EmailPassword or ThirdParty beside this preset then names it: "already includes emailpassword".
  for (const recipe of inner) recipe.partOf = ThirdPartyEmailPasswordRecipe.RECIPE_ID;
  return [new ThirdPartyEmailPasswordRecipe(context, functions, apis), ...inner];
}
