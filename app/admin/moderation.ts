import { randomUUID } from 'node:crypto';
import { AppError, forbidden, notFound } from '../http/errors';
import { inTransaction } from '../infra/db';
import { enqueueAfterCommit } from '../queue/queues';
import { announceWithdrawal, withdrawInTransaction } from '../auth/withdrawal';
import { insertAuditEntry } from '../records/auditLog';
import { findUserRole, setSuspended } from '../records/users';
import type { SuspensionJson } from './schemas';

/** Refuses (403 `forbidden`) anyone who is not an admin now; the role is read from the primary. */
export async function requireAdmin(viewerId: string): Promise<void> {
  if ((await findUserRole(viewerId)) !== 'admin') throw forbidden('This is for admins only.');
}

/**
 * Suspends an account (idempotent). In one transaction: `suspended_at` is set, the token
 * version moves on (every access token of the account is refused from then on), every refresh
 * token is revoked, and the audit log gets its row (only when the state changed, so the log
 * lists what happened, not every repeat). After the commit, as a password reset does, the new
 * version is published: every node forgets its verdicts and cuts the account's sockets.
 *
 * Its tweets and retweets then vanish for everyone: the tweet cache is filled from rows that
 * leave suspended authors out, and the account's records are dropped after commit, twice
 * (app/auth/withdrawal.ts, shared with account deletion).
 */
export async function suspendUser(
  adminId: string,
  targetId: string,
  reason: string,
): Promise<SuspensionJson> {
  await requireAdmin(adminId);
  if (adminId === targetId) {
    throw new AppError('cannot_suspend_self', 'An admin cannot suspend their own account.');
  }
  const outcome = await inTransaction(async (transaction) => {
    const result = await setSuspended(targetId, true, transaction);
    if (!result) throw notFound('user');
    if (result.changed) {
      await withdrawInTransaction(targetId, 'suspend', transaction);
      await insertAuditEntry(
        { adminId, action: 'suspend', targetUserId: targetId, reason },
        transaction,
      );
    }
    return result;
  });
  if (outcome.changed) await announceWithdrawal(targetId, outcome.tokenVersion);
  return { id: targetId, username: outcome.username, suspended: true };
}

/**
 * Lifts a suspension (idempotent); audited when it changed anything. The account signs in
 * again; its profile and tweets are back at once (nothing of them was cached while it was
 * suspended). Followers' home timelines dropped its entries as they read them, so a `restore`
 * job merges its recent entries back into them, as following does.
 */
export async function unsuspendUser(
  adminId: string,
  targetId: string,
  reason: string,
): Promise<SuspensionJson> {
  await requireAdmin(adminId);
  const outcome = await inTransaction(async (transaction) => {
    const result = await setSuspended(targetId, false, transaction);
    if (!result) throw notFound('user');
    if (result.changed) {
      await insertAuditEntry(
        { adminId, action: 'unsuspend', targetUserId: targetId, reason },
        transaction,
      );
      await enqueueAfterCommit(
        transaction,
        'timeline',
        { kind: 'restore', userId: targetId },
        { jobId: `restore:${targetId}:${randomUUID()}` },
      );
    }
    return result;
  });
  return { id: targetId, username: outcome.username, suspended: false };
}
