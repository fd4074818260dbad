import type { Capabilities } from "../../lib/capabilities";
import {
  completedFirstFactor,
  FactorIds,
  LoginMethods,
  SecondFactors,
  type SessionContainerInterface,
  Tenants,
} from "../../lib/seams";
import type { JSONObject, UserContext } from "../../lib/types";
import { findUser } from "../../lib/users";
import type { MultiFactorAuthClaimClass } from "./claim";
import { isRequirementList, nextUnsatisfiedFactors } from "./requirements";
import { LatchkeyError } from "../../lib/error";
import type { MFAClaimValue, MFARequirementList, RecipeInterface, SessionMFAInfo, TypeNormalisedInput } from "./types";

const EMAIL_FACTORS: readonly string[] = [FactorIds.OTP_EMAIL, FactorIds.LINK_EMAIL];
const PHONE_FACTORS: readonly string[] = [FactorIds.OTP_PHONE, FactorIds.LINK_PHONE];

/** A promise made on first read only, so requirement inputs an override never reads cost no query. */
function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/**
 * The session side of MFA: which factor a new session's sign-in completed, what the session must complete, and
 * keeping the `st-mfa` claim of a session up to date (SuperTokens' updateAndGetMFARelatedInfoInSession).
 */
export class SessionMFAState {
  /** Works through the recipe's (overridden) implementation, asked for at call time. */
  constructor(
    private readonly capabilities: Capabilities,
    private readonly config: TypeNormalisedInput,
    private readonly claim: MultiFactorAuthClaimClass,
    private readonly impl: () => RecipeInterface,
  ) {}

  /** Every factor the recipes of the list report as set up for the user (duplicates dropped). */
  async factorsSetUpByRecipes(userId: string, tenantId: string, userContext: UserContext): Promise<string[]> {
    const found = new Set<string>();
    for (const provider of this.capabilities.all(SecondFactors)) {
      for (const id of await provider.getFactorsSetUpForUser({ userId, tenantId, userContext })) found.add(id);
    }
    return [...found];
  }

  /** Every secondary factor a recipe of the list offers. */
  availableSecondaryFactors(): string[] {
    return [...new Set(this.capabilities.all(SecondFactors).flatMap((p) => p.factorIds))];
  }

  /** The claim of a session that has none: the first factor its sign-in completed, and whether that is enough. */
  async valueForSession(userId: string, tenantId: string, userContext: UserContext): Promise<MFAClaimValue> {
    const first = completedFirstFactor(userContext) ?? (await this.inferFirstFactor(userId, userContext));
    const completed: MFAClaimValue["c"] = first === undefined ? {} : { [first]: Date.now() };
    const requirements = await this.requirements(userId, tenantId, {}, completed, userContext);
    return { c: completed, v: nextUnsatisfiedFactors(completed, requirements).factorIds.length === 0 };
  }

  /** Recomputes the session's state (with `factorId` completed now, when given) and stores it when it changed. */
  async refresh(input: {
    session: SessionContainerInterface;
    factorId?: string;
    userContext: UserContext;
  }): Promise<SessionMFAInfo> {
    const { session, factorId, userContext } = input;
    const userId = session.getUserId();
    const tenantId = session.getTenantId();
    const stored = session.getClaimValue(this.claim);
    const value: MFAClaimValue = stored ?? (await this.valueForSession(userId, tenantId, userContext));
    let changed = stored === undefined;
    if (factorId !== undefined) {
      // A computed key in a literal is always an own property (an assignment of "__proto__" would not be).
      value.c = { ...value.c, [factorId]: Date.now() };
      changed = true;
    }
    const payload = session.getAccessTokenPayload();
    const requirements = await this.requirements(userId, tenantId, payload, value.c, userContext);
    const satisfied = nextUnsatisfiedFactors(value.c, requirements).factorIds.length === 0;
    if (value.v !== satisfied) {
      value.v = satisfied;
      changed = true;
    }
    if (changed) await session.setClaimValue(this.claim, value, userContext);
    return {
      completedFactors: value.c,
      mfaRequirementsForAuth: requirements,
      isMFARequirementsForAuthSatisfied: satisfied,
    };
  }

  /**
   * What the session must complete: the (overridable) requirements, after one of `firstFactors` when the config
   * names them and the session has completed none (a sign-in by another method is not a sign-in on its own).
   */
  private async requirements(
    userId: string,
    tenantId: string,
    accessTokenPayload: JSONObject,
    completedFactors: MFAClaimValue["c"],
    userContext: UserContext,
  ): Promise<MFARequirementList> {
    const user = lazy(() => findUser(this.capabilities, userId, userContext));
    const setUp = lazy(() => this.impl().getFactorsSetupForUser({ userId, tenantId, userContext }));
    const forUser = lazy(() => this.impl().getRequiredSecondaryFactorsForUser({ userId, userContext }));
    const forTenant = lazy(async () => {
      const tenants = this.capabilities.optional(Tenants);
      if (tenants === undefined) return [];
      return (await tenants.getTenantLoginConfig({ tenantId, userContext }))?.requiredSecondaryFactors ?? [];
    });
    const list: unknown = await this.impl().getMFARequirementsForAuth({
      userId,
      tenantId,
      accessTokenPayload,
      completedFactors: { ...completedFactors },
      get user() {
        return user();
      },
      get factorsSetUpForUser() {
        return setUp();
      },
      get requiredSecondaryFactorsForUser() {
        return forUser();
      },
      get requiredSecondaryFactorsForTenant() {
        return forTenant();
      },
      userContext,
    });
    if (!isRequirementList(list))
      throw new LatchkeyError(
        "GENERAL_ERROR",
        "MultiFactorAuth getMFARequirementsForAuth must return a list of factor ids, { oneOf } and { allOfInAnyOrder }",
      );
    const { firstFactors } = this.config;
    if (firstFactors === undefined || firstFactors.some((f) => Object.hasOwn(completedFactors, f))) return list;
    return [{ oneOf: firstFactors }, ...list];
  }

  /**
   * The factor a sign-in proved, when the login recipe did not name it: its one factor, or for a recipe with several
   * (Passwordless) the first that fits the user's email or phone number (and firstFactors, when configured).
   */
  private async inferFirstFactor(userId: string, userContext: UserContext): Promise<string | undefined> {
    for (const provider of this.capabilities.all(LoginMethods)) {
      const record = await provider.getLoginMethod({ userId, userContext });
      if (record === undefined) continue;
      const fitting = provider.factorIds.filter(
        (id) =>
          provider.factorIds.length === 1 ||
          (EMAIL_FACTORS.includes(id) && record.email !== undefined) ||
          (PHONE_FACTORS.includes(id) && record.phoneNumber !== undefined),
      );
      const allowed = this.config.firstFactors;
      const pick = fitting.find((id) => allowed === undefined || allowed.includes(id)) ?? fitting[0];
      if (pick !== undefined) return pick;
    }
    return undefined;
  }
}
