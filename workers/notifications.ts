import type { Job } from 'bull';
import { createFromLegacyJob, notificationJson, recipientOf } from '../app/notifications/service';
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
  const target =
    data.kind === 'push' ? await pushTarget(data.notificationId) : await createFromLegacyJob(data);
  if (!target) return { pushed: null };
  const notification = await notificationJson(target.userId, target.id);
  if (!notification) return { pushed: null };
  await emitToUsers([target.userId], 'notification', { notification });
  return { pushed: target.id };
}

async function pushTarget(id: string): Promise<{ id: string; userId: string } | null> {
  const userId = await recipientOf(id);
  return userId ? { id, userId } : null;
}
