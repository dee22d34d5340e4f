import type { Job } from 'bull';
import { createFromLegacyJob, notificationForPush } from '../app/notifications/service';
import type { JobPayloads } from '../app/queue/jobs';
import { emitToUsers } from '../app/realtime/emitter';

/**
 * The `notifications` queue's processor: pushes a notification (committed with its action)
 * to its recipient. A job of the old format first persists its notification (once).
 */
export async function processNotificationJob(
  job: Job<JobPayloads['notifications']>,
): Promise<{ pushed: string | null }> {
  const { data } = job;
  const id =
    data.kind === 'push' ? data.notificationId : ((await createFromLegacyJob(data))?.id ?? null);
  const push = id === null ? null : await notificationForPush(id);
  if (!push) return { pushed: null };
  await emitToUsers([push.userId], 'notification', { notification: push.notification });
  return { pushed: id };
}
