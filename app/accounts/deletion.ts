import { AppError, unauthorized } from '../http/errors';
import { inTransaction } from '../infra/db';
import { enqueueAfterCommit } from '../queue/queues';
import { checkPassword } from '../auth/passwords';
import { announceWithdrawal, withdrawInTransaction } from '../auth/withdrawal';
import { findUser, markDeleting } from '../records/users';
import type { AccountDeletionJson } from './schemas';

/** The job id of an account's deletion: one per account, so a repeat queues nothing more. */
export const deletionJobId = (userId: string): string => `deleteAccount:${userId}`;

/**
 * Deletes the caller's account, given its current password (401 `invalid_credentials`
 * otherwise). Answers at once: in one transaction the account is marked as being deleted
 * (every read leaves it out from the commit on, as a suspended one; its sign-ins fail as for
 * an unknown account), its sessions end (token version moved on, refresh tokens revoked) and
 * the `accounts` job is queued through the outbox. After the commit every node cuts its
 * sockets and its cached tweets are dropped. The job (workers/accounts.ts) removes the rest.
 */
export async function deleteOwnAccount(
  viewerId: string,
  password: string,
): Promise<AccountDeletionJson> {
  const user = await findUser(viewerId, { useMaster: true });
  // A token still live for an account already being deleted: its sessions are over.
  if (!user || user.deletedAt) throw unauthorized();
  if (!(await checkPassword(password, user.passwordHash))) {
    throw new AppError('invalid_credentials', 'The password is wrong.');
  }
  const tokenVersion = await inTransaction(async (transaction) => {
    const marked = await markDeleting(viewerId, transaction);
    if (!marked) throw unauthorized();
    await withdrawInTransaction(viewerId, 'delete', transaction);
    await enqueueAfterCommit(
      transaction,
      'accounts',
      { kind: 'delete', userId: viewerId },
      { jobId: deletionJobId(viewerId) },
    );
    return marked.tokenVersion;
  });
  await announceWithdrawal(viewerId, tokenVersion);
  return { deleting: true };
}
