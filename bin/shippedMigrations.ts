import type { RecipeMigration } from "../lib/db/migrations";
import { dashboardMigrations } from "../recipes/dashboard/migrations";
import { emailPasswordMigrations } from "../recipes/emailpassword/migrations";
import { emailVerificationMigrations } from "../recipes/emailverification/migrations";
import { sessionMigrations } from "../recipes/session/migrations";
import { thirdPartyMigrations } from "../recipes/thirdparty/migrations";
import { userMetadataMigrations } from "../recipes/usermetadata/migrations";
import { userRolesMigrations } from "../recipes/userroles/migrations";

/** The migrations of every recipe shipped in this package, for `latchkey migrate` without `--config`. */
export function shippedMigrations(): RecipeMigration[] {
  return [
    ...sessionMigrations,
    ...emailPasswordMigrations,
    ...emailVerificationMigrations,
    ...thirdPartyMigrations,
    ...userRolesMigrations,
    ...userMetadataMigrations,
    ...dashboardMigrations,
  ];
}
