// The only file of the dashboard recipe that builds SQL: its audit log.
import type { Database } from "../../lib/db/database";
import type { UserCursor } from "../../lib/seams";

/** An audit row as stored. */
export interface AuditRow {
  id: string;
  time: number | string;
  actor: string;
  action: string;
  target: string | null;
  detail: string;
}

/** The dashboard's named queries. */
export interface DashboardStore {
  insertAudit(row: AuditRow): Promise<void>;
  /** Up to `limit` rows before the cursor, newest first. */
  listAudit(limit: number, before: UserCursor | undefined): Promise<AuditRow[]>;
}

/** The dashboard store over the deployment's database. */
export function makeDashboardStore(db: Database): DashboardStore {
  const audit = db.table("dashboard_audit_log");
  return {
    insertAudit: async (row) => {
      await db.run((knex) => knex(audit).insert(row));
    },
    listAudit: (limit, before) =>
      db.run((knex) => {
        const query = knex(audit);
        if (before !== undefined) {
          void query
            .where("time", "<=", before.timeJoined)
            .where((w) => void w.where("time", "<", before.timeJoined).orWhere("id", "<", before.userId));
        }
        return query
          .orderBy([
            { column: "time", order: "desc" },
            { column: "id", order: "desc" },
          ])
          .limit(limit)
          .select<AuditRow[]>();
      }),
  };
}
