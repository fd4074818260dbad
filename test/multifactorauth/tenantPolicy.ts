import { provide, type Provision } from "../../lib/capabilities";
import { type APIHandled, RecipeModule } from "../../lib/recipeModule";
import type { RecipeListFunction } from "../../lib/recipeModule";
import { TenantFactorPolicies } from "../../lib/seams";

/** A stand-in for multitenancy: provides TenantFactorPolicies from a fixed map of tenant id to required factors. */
class TenantPolicyRecipe extends RecipeModule {
  static readonly RECIPE_ID = "test-tenant-policy";
  readonly recipeId = TenantPolicyRecipe.RECIPE_ID;
  policies: Record<string, string[]> = {};

  override provides(): Provision[] {
    return [
      provide(TenantFactorPolicies, {
        getRequiredSecondaryFactors: ({ tenantId }) => Promise.resolve(this.policies[tenantId] ?? []),
      }),
    ];
  }

  getAPIsHandled(): APIHandled[] {
    return [];
  }

  handleAPIRequest(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

/** The recipe-list entry of the stand-in, with these tenants' required secondary factors. */
export function tenantPolicyRecipe(policies: Record<string, string[]>): RecipeListFunction {
  return (context) => Object.assign(new TenantPolicyRecipe(context), { policies });
}
