import type { RecipeMigration } from "../lib/db/migrations";

/**
 * The migrations of every recipe shipped in this package, for `latchkey migrate` without `--config`.
 * Each recipe adds its list here when it lands.
 */
export function shippedMigrations(): RecipeMigration[] {
  return [];
}
