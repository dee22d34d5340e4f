import type { AuditRow } from '../records/auditLog';
import type { AuditEntryJson } from './schemas';

/** An audit row as `GET /admin/audit` shows it. */
export function presentAuditEntry(row: AuditRow): AuditEntryJson {
  return {
    id: row.id,
    action: row.action,
    admin: row.adminId === null ? null : { id: row.adminId, username: row.adminUsername },
    targetUser:
      row.targetUserId === null ? null : { id: row.targetUserId, username: row.targetUsername },
    targetTweetId: row.targetTweetId,
    reason: row.reason,
    createdAt: row.createdAt.toISOString(),
  };
}
