import { expect } from "chai";
import { provide, type Provision } from "../../lib/capabilities";
import { PrimitiveClaim } from "../../lib/claims";
import type { BaseRequest, BaseResponse } from "../../lib/framework/request";
import { type APIHandled, RecipeModule } from "../../lib/recipeModule";
import { SessionClaimSources } from "../../lib/seams";
import type { RecipeInterface } from "../../recipes/session/types";
import { decodeFrontToken, jwtPayload } from "../helpers/http";
import { Session, startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

/** A recipe that only adds a claim to every session, through the capability (no duck typing). */
const PlanClaim = new PrimitiveClaim<string>("plan", () => "gold");
class PlanClaimRecipe extends RecipeModule {
  static readonly RECIPE_ID = "planclaim";
  readonly recipeId = PlanClaimRecipe.RECIPE_ID;
  getAPIsHandled(): APIHandled[] {
    return [];
  }
  handleAPIRequest(_apiId: string, _req: BaseRequest, _res: BaseResponse): Promise<boolean> {
    return Promise.resolve(false);
  }
  override provides(): Provision[] {
    return [provide(SessionClaimSources, { getSessionClaims: () => ({ claims: [PlanClaim], validators: [] }) })];
  }
}

describe("session: today's SuperTokens payload names beside the seeds'", () => {
  let app: SessionTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function loginWith(
    functions: (original: RecipeInterface) => RecipeInterface,
  ): Promise<Record<string, unknown>> {
    app = await startSessionApp({ override: { functions } });
    app.client.defaultHeaders = { "st-auth-mode": "header" };
    const login = await app.client.request("POST", "/login", { body: { userId: "u1", jwtPayload: { own: 1 } } });
    expect(login.status).to.equal(200);
    const up = jwtPayload(login.headers.get("st-access-token") ?? "").up as Record<string, unknown>;
    expect(decodeFrontToken(login.headers.get("front-token")).up).to.deep.equal(up);
    return up;
  }

  it("an override from today's SuperTokens docs that sets input.accessTokenPayload reaches the token", async () => {
    const up = await loginWith((original) => ({
      ...original,
      createNewSession: async (input) => {
        input.accessTokenPayload = { ...input.accessTokenPayload, role: "admin" };
        return original.createNewSession(input);
      },
    }));
    expect(up).to.deep.equal({ own: 1, role: "admin" });
  });

  it("the override sees the caller's payload under both names", async () => {
    const seen: unknown[] = [];
    await loginWith((original) => ({
      ...original,
      createNewSession: async (input) => {
        seen.push(input.accessTokenPayload, input.jwtPayload);
        return original.createNewSession(input);
      },
    }));
    expect(seen).to.deep.equal([{ own: 1 }, { own: 1 }]);
  });

  it("a spread copy with a new accessTokenPayload: the override's value wins over the supplied jwtPayload", async () => {
    const up = await loginWith((original) => ({
      ...original,
      createNewSession: async (input) =>
        original.createNewSession({
          ...input,
          accessTokenPayload: { ...input.accessTokenPayload, role: "spread-access" },
        }),
    }));
    expect(up).to.deep.equal({ own: 1, role: "spread-access" });
  });

  it("a spread copy with a new jwtPayload: the override's value wins over the supplied accessTokenPayload", async () => {
    const up = await loginWith((original) => ({
      ...original,
      createNewSession: async (input) =>
        original.createNewSession({ ...input, jwtPayload: { ...input.jwtPayload, role: "spread-jwt" } }),
    }));
    expect(up).to.deep.equal({ own: 1, role: "spread-jwt" });
  });

  it("a spread copy where both names are new: accessTokenPayload wins", async () => {
    const up = await loginWith((original) => ({
      ...original,
      createNewSession: async (input) =>
        original.createNewSession({ ...input, jwtPayload: { by: "jwt" }, accessTokenPayload: { by: "access" } }),
    }));
    expect(up).to.deep.equal({ by: "access" });
  });

  it("getAccessTokenPayload() is getJWTPayload(); getSessionInformation has both names", async () => {
    app = await startSessionApp();
    const session = await Session.createNewSessionWithoutRequestResponse("u1", { a: 1 });
    expect(session.getAccessTokenPayload()).to.deep.equal({ a: 1 });
    expect(session.getAccessTokenPayload()).to.equal(session.getJWTPayload());
    const info = await Session.getSessionInformation(session.getHandle());
    expect(info?.accessTokenPayload).to.deep.equal({ a: 1 });
    expect(info?.jwtPayload).to.deep.equal({ a: 1 });
  });

  it("mergeIntoAccessTokenPayload: keys merge, a null value removes its key, recipe-managed claims stay as they are", async () => {
    app = await startSessionApp({}, { extraRecipes: [(context) => new PlanClaimRecipe(context)] });
    const created = await Session.createNewSessionWithoutRequestResponse("u1", { keep: 1, drop: "x", plan: "mine" });
    // The claim's own value, not the caller's: recipe-managed keys cannot come from the app.
    expect(created.getClaimValue(PlanClaim)).to.equal("gold");
    const session = await Session.getSession(created.getAccessToken());
    await session.mergeIntoAccessTokenPayload({ added: true, drop: null, plan: "forged", [PlanClaim.key]: null });
    const expected = { keep: 1, added: true };
    expect(session.getAccessTokenPayload()).to.deep.include(expected);
    expect(session.getAccessTokenPayload()).to.not.have.property("drop");
    expect(session.getClaimValue(PlanClaim)).to.equal("gold");
    // Stored too, for the next refresh; and the module function does the same by handle.
    expect(await Session.getJWTPayload(session.getHandle())).to.deep.include(expected);
    await Session.mergeIntoAccessTokenPayload(session.getHandle(), { keep: null, more: 2 });
    const stored = await Session.getJWTPayload(session.getHandle());
    expect(stored).to.deep.include({ added: true, more: 2 });
    expect(stored).to.not.have.property("keep");
    expect(PlanClaim.getValueFromPayload(stored)).to.equal("gold");
  });
});
