import { type Transaction } from 'sequelize';
import { select, execute } from '../infra/db';

/**
 * The `audit_log` table: every admin action, written in the action's own transaction (so an
 * action and its row commit or roll back together), read newest first by `GET /admin/audit`.
 * Raw SQL: an insert of one row, and a page joining the two accounts it names, with no model.
 */

/**
 * Every kind of admin action, in the order of the `audit_log.action` ENUM column: one more
 * is one line here and a migration widening the ENUM.
 */
export const AUDIT_ACTIONS = [
  'suspend',
  'unsuspend',
  'delete_tweet',
  'grant_admin',
  'revoke_admin',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One admin action: who (null: the command line), what, whom, why. */
export interface AuditEntry {
  adminId: string | null;
  action: AuditAction;
  targetUserId: string | null;
  targetTweetId?: string | null;
  reason?: string | null;
}

/** Writes one action's row, in the action's transaction. */
export async function insertAuditEntry(entry: AuditEntry, transaction: Transaction): Promise<void> {
  await execute(
    `INSERT INTO audit_log (admin_id, action, target_user_id, target_tweet_id, reason, created_at)
     VALUES (:adminId, :action, :targetUserId, :targetTweetId, :reason, UTC_TIMESTAMP(3))`,
    {
      replacements: {
        adminId: entry.adminId,
        action: entry.action,
        targetUserId: entry.targetUserId,
        targetTweetId: entry.targetTweetId ?? null,
        reason: entry.reason ?? null,
      },
      transaction,
    },
  );
}

/** A row of the log with the names of the accounts it names (null once an account is gone). */
export interface AuditRow {
  id: string;
  adminId: string | null;
  adminUsername: string | null;
  action: AuditAction;
  targetUserId: string | null;
  targetUsername: string | null;
  targetTweetId: string | null;
  reason: string | null;
  createdAt: Date;
}

const idOrNull = (value: string | number | null) => (value === null ? null : String(value));

/**
 * A page of the log, newest first, below the row id `below` (the primary key's range). Ask
 * for one more than a page to learn whether another follows. Read from the primary: an admin
 * reads the log right after acting, and a replica may not have the row yet.
 */
export async function auditPage(below: string | undefined, limit: number): Promise<AuditRow[]> {
  const rows = await select<AuditRow>(
    `SELECT a.id, a.admin_id AS adminId, au.username AS adminUsername, a.action,
            a.target_user_id AS targetUserId, tu.username AS targetUsername,
            a.target_tweet_id AS targetTweetId, a.reason, a.created_at AS createdAt
       FROM audit_log a
       LEFT JOIN users au ON au.id = a.admin_id
       LEFT JOIN users tu ON tu.id = a.target_user_id
      ${below ? 'WHERE a.id < :below' : ''}
      ORDER BY a.id DESC LIMIT :limit`,
    { replacements: { below, limit }, useMaster: true },
  );
  return rows.map((row) => ({
    ...row,
    id: String(row.id),
    adminId: idOrNull(row.adminId),
    targetUserId: idOrNull(row.targetUserId),
    targetTweetId: idOrNull(row.targetTweetId),
    createdAt: new Date(row.createdAt),
  }));
}
