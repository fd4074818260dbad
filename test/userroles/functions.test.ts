import { expect } from "chai";
import Latchkey from "../../lib/index";
import { Latchkey as Core } from "../../lib/latchkey";
import UserRoles from "../../recipes/userroles/index";
import UserMetadata from "../../recipes/usermetadata/index";
import Session from "../../recipes/session/index";
import { testDbKind } from "../helpers/db";
import { initLatchkey, type TestLatchkey } from "../helpers/app";

describe(`userroles: SuperTokens' functions on the app's database (${testDbKind()})`, () => {
  let lk: TestLatchkey;
  beforeEach(() => {
    lk = initLatchkey([Session.init(), UserRoles.init(), UserMetadata.init()]);
  });
  afterEach(() => lk.cleanup());

  it("creates roles with permissions, lists and edits them, and answers UNKNOWN_ROLE_ERROR for a missing role", async () => {
    expect(await UserRoles.createNewRoleOrAddPermissions("admin", ["read", "write"])).to.deep.equal({
      status: "OK",
      createdNewRole: true,
    });
    expect(await UserRoles.createNewRoleOrAddPermissions("admin", ["write", "delete", "delete"])).to.deep.equal({
      status: "OK",
      createdNewRole: false,
    });
    await UserRoles.createNewRoleOrAddPermissions("viewer", ["read"]);
    expect(await UserRoles.getAllRoles()).to.deep.equal({ status: "OK", roles: ["admin", "viewer"] });
    expect(await UserRoles.getPermissionsForRole("admin")).to.deep.equal({
      status: "OK",
      permissions: ["delete", "read", "write"],
    });
    expect(await UserRoles.getRolesThatHavePermission("read")).to.deep.equal({
      status: "OK",
      roles: ["admin", "viewer"],
    });
    expect(await UserRoles.getRolesThatHavePermission("fly")).to.deep.equal({ status: "OK", roles: [] });
    expect(await UserRoles.removePermissionsFromRole("admin", ["delete", "never-had"])).to.deep.equal({ status: "OK" });
    expect((await UserRoles.getPermissionsForRole("admin")).status === "OK").to.equal(true);
    expect(await UserRoles.getPermissionsForRole("admin")).to.deep.equal({
      status: "OK",
      permissions: ["read", "write"],
    });

    const unknown = { status: "UNKNOWN_ROLE_ERROR" };
    expect(await UserRoles.getPermissionsForRole("ghost")).to.deep.equal(unknown);
    expect(await UserRoles.removePermissionsFromRole("ghost", ["read"])).to.deep.equal(unknown);
    expect(await UserRoles.addRoleToUser("public", "u1", "ghost")).to.deep.equal(unknown);
    expect(await UserRoles.removeUserRole("public", "u1", "ghost")).to.deep.equal(unknown);
    expect(await UserRoles.getUsersThatHaveRole("public", "ghost")).to.deep.equal(unknown);
    // Role names compare byte for byte: "Admin" is another (missing) role.
    expect(await UserRoles.addRoleToUser("public", "u1", "Admin")).to.deep.equal(unknown);
  });

  it("assigns roles per tenant, to any user id (as SuperTokens), and removes them", async () => {
    await UserRoles.createNewRoleOrAddPermissions("admin", []);
    await UserRoles.createNewRoleOrAddPermissions("editor", []);
    expect(await UserRoles.addRoleToUser("public", "u1", "admin")).to.deep.equal({
      status: "OK",
      didUserAlreadyHaveRole: false,
    });
    expect(await UserRoles.addRoleToUser("public", "u1", "admin")).to.deep.equal({
      status: "OK",
      didUserAlreadyHaveRole: true,
    });
    await UserRoles.addRoleToUser("public", "u1", "editor");
    await UserRoles.addRoleToUser("public", "u2", "editor");
    await UserRoles.addRoleToUser("acme", "u1", "editor");
    expect(await UserRoles.getRolesForUser("public", "u1")).to.deep.equal({ status: "OK", roles: ["admin", "editor"] });
    expect(await UserRoles.getRolesForUser("acme", "u1")).to.deep.equal({ status: "OK", roles: ["editor"] });
    expect(await UserRoles.getRolesForUser("public", "nobody")).to.deep.equal({ status: "OK", roles: [] });
    expect(await UserRoles.getUsersThatHaveRole("public", "editor")).to.deep.equal({
      status: "OK",
      users: ["u1", "u2"],
    });
    expect(await UserRoles.getUsersThatHaveRole("acme", "admin")).to.deep.equal({ status: "OK", users: [] });
    expect(await UserRoles.removeUserRole("public", "u1", "admin")).to.deep.equal({
      status: "OK",
      didUserHaveRole: true,
    });
    expect(await UserRoles.removeUserRole("public", "u1", "admin")).to.deep.equal({
      status: "OK",
      didUserHaveRole: false,
    });
    expect(await UserRoles.getRolesForUser("public", "u1")).to.deep.equal({ status: "OK", roles: ["editor"] });
  });

  it("deleteRole takes the role from every user in every tenant, with its permissions", async () => {
    await UserRoles.createNewRoleOrAddPermissions("temp", ["p"]);
    await UserRoles.addRoleToUser("public", "u1", "temp");
    await UserRoles.addRoleToUser("acme", "u2", "temp");
    expect(await UserRoles.deleteRole("temp")).to.deep.equal({ status: "OK", didRoleExist: true });
    expect(await UserRoles.deleteRole("temp")).to.deep.equal({ status: "OK", didRoleExist: false });
    expect((await UserRoles.getRolesForUser("public", "u1")).roles).to.deep.equal([]);
    expect((await UserRoles.getRolesForUser("acme", "u2")).roles).to.deep.equal([]);
    expect((await UserRoles.getRolesThatHavePermission("p")).roles).to.deep.equal([]);
    // Created again, it starts empty: no assignment or permission comes back.
    await UserRoles.createNewRoleOrAddPermissions("temp", []);
    expect((await UserRoles.getUsersThatHaveRole("public", "temp")).status === "OK").to.equal(true);
    expect(await UserRoles.getUsersThatHaveRole("public", "temp")).to.deep.equal({ status: "OK", users: [] });
    expect(await UserRoles.getPermissionsForRole("temp")).to.deep.equal({ status: "OK", permissions: [] });
  });

  it("Latchkey.deleteUser removes the user's roles (every tenant) and metadata, and nobody else's", async () => {
    await UserRoles.createNewRoleOrAddPermissions("admin", []);
    await UserRoles.addRoleToUser("public", "gone", "admin");
    await UserRoles.addRoleToUser("acme", "gone", "admin");
    await UserRoles.addRoleToUser("public", "stays", "admin");
    await UserMetadata.updateUserMetadata("gone", { theme: "dark" });
    await UserMetadata.updateUserMetadata("stays", { theme: "light" });
    await Latchkey.deleteUser("gone");
    expect((await UserRoles.getRolesForUser("public", "gone")).roles).to.deep.equal([]);
    expect((await UserRoles.getRolesForUser("acme", "gone")).roles).to.deep.equal([]);
    expect((await UserMetadata.getUserMetadata("gone")).metadata).to.deep.equal({});
    expect((await UserRoles.getUsersThatHaveRole("public", "admin")).status === "OK").to.equal(true);
    expect(await UserRoles.getUsersThatHaveRole("public", "admin")).to.deep.equal({ status: "OK", users: ["stays"] });
    expect((await UserMetadata.getUserMetadata("stays")).metadata).to.deep.equal({ theme: "light" });
  });

  it("20 concurrent addRoleToUser of one role: one row, one didUserAlreadyHaveRole false, 19 true", async () => {
    await UserRoles.createNewRoleOrAddPermissions("admin", []);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => UserRoles.addRoleToUser("public", "racer", "admin")),
    );
    const flags = results.map((r) => (r.status === "OK" ? r.didUserAlreadyHaveRole : "error"));
    expect(flags.filter((f) => f === false)).to.have.length(1);
    expect(flags.filter((f) => f === true)).to.have.length(19);
    const knex = Core.getInstanceOrThrow().database.knex;
    const rows = await knex(`${lk.prefix}userroles_user_roles`).where({ user_id: "racer" });
    expect(rows).to.have.length(1);
  });

  it("concurrent role creation with permissions and deletion with assignments leave consistent tables", async () => {
    const created = await Promise.all(
      Array.from({ length: 10 }, (_, i) => UserRoles.createNewRoleOrAddPermissions("shared", [`p${i % 3}`])),
    );
    expect(created.filter((r) => r.createdNewRole)).to.have.length(1);
    expect(await UserRoles.getPermissionsForRole("shared")).to.deep.equal({
      status: "OK",
      permissions: ["p0", "p1", "p2"],
    });
    const mixed = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => UserRoles.addRoleToUser("public", `user${i}`, "shared")),
      UserRoles.deleteRole("shared"),
    ]);
    expect(mixed.every((r) => r.status === "OK" || r.status === "UNKNOWN_ROLE_ERROR")).to.equal(true);
    // Whatever the order, no assignment outlives its role.
    const knex = Core.getInstanceOrThrow().database.knex;
    expect(await knex(`${lk.prefix}userroles_user_roles`).where({ role: "shared" })).to.have.length(0);
  });

  it("refuses empty, over-long and non-string names, and bad user and tenant ids, with a typed BAD_INPUT_ERROR", async () => {
    const cases: [string, () => Promise<unknown>][] = [
      ["role", () => UserRoles.createNewRoleOrAddPermissions("", [])],
      ["role", () => UserRoles.createNewRoleOrAddPermissions("r".repeat(256), [])],
      ["role", () => UserRoles.createNewRoleOrAddPermissions("a\u0000b", [])],
      ["permissions[1]", () => UserRoles.createNewRoleOrAddPermissions("ok", ["fine", ""])],
      ["permissions", () => UserRoles.createNewRoleOrAddPermissions("ok", "read" as unknown as string[])],
      ["role", () => UserRoles.addRoleToUser("public", "u1", 42 as unknown as string)],
      ["userId", () => UserRoles.addRoleToUser("public", "", "admin")],
      ["userId", () => UserRoles.getRolesForUser("public", "u".repeat(129))],
      ["tenantId", () => UserRoles.getRolesForUser("", "u1")],
      ["permission", () => UserRoles.getRolesThatHavePermission("")],
    ];
    for (const [field, call] of cases) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, field).to.be.instanceOf(UserRoles.Error);
      const typed = err as InstanceType<typeof UserRoles.Error>;
      expect(typed.type).to.equal("BAD_INPUT_ERROR");
      expect(typed.payload.field).to.equal(field);
    }
    // A 255-character name is fine.
    expect((await UserRoles.createNewRoleOrAddPermissions("r".repeat(255), ["p".repeat(255)])).status).to.equal("OK");
    expect((await UserRoles.getAllRoles()).roles).to.deep.equal(["r".repeat(255)]);
  });

  it("overrides: an override of getRolesForUser is what the public function answers", async () => {
    await lk.cleanup();
    lk = initLatchkey([
      Session.init(),
      UserRoles.init({
        override: {
          functions: (original) => ({
            ...original,
            getRolesForUser: async (input) => {
              const result = await original.getRolesForUser(input);
              return { ...result, roles: [...result.roles, "everyone"] };
            },
          }),
        },
      }),
    ]);
    expect((await UserRoles.getRolesForUser("public", "u1")).roles).to.deep.equal(["everyone"]);
  });
});
