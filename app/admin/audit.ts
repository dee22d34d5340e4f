import { toPage } from '../http/paging';
import { auditPage } from '../records/auditLog';
import { requireAdmin } from './moderation';
import { presentAuditEntry } from './presenter';
import type { AuditEntryJson } from './schemas';

/** A page of the audit log, newest first (admins only), paged by the row id. */
export async function listAudit(
  viewerId: string,
  below: string | undefined,
  limit: number,
): Promise<{ data: AuditEntryJson[]; nextCursor: string | null }> {
  await requireAdmin(viewerId);
  const rows = await auditPage(below, limit + 1);
  const { data, nextCursor } = toPage(rows, limit, (row) => row.id);
  return { data: data.map(presentAuditEntry), nextCursor };
}
