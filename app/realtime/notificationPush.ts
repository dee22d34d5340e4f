import type { JobPayloads } from '../queue/jobs';
import { emitToUsers } from './emitter';
import { createFromLegacyJob, notificationForPush } from '../notifications/service';

/**
 * Does a `notifications` job: pushes the notification (committed with its action) to its
 * recipient's sockets on every node; a job of the old format first persists it (once).
 * Answers the id pushed, or null when it is gone (its tweet deleted). API nodes do it right
 * after the commit (runJobsAtCommit); a worker does it for a job the relay queued.
 */
export async function pushNotificationJob(
  job: JobPayloads['notifications'],
): Promise<string | null> {
  const id =
    job.kind === 'push' ? job.notificationId : ((await createFromLegacyJob(job))?.id ?? null);
  const push = id === null ? null : await notificationForPush(id);
  if (!push) return null;
  await emitToUsers([push.userId], 'notification', { notification: push.notification });
  return id;
}
