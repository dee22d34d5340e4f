import type { Job } from 'bull';
import { createNotification, notificationJson } from '../app/notifications/service';
import type { JobPayloads } from '../app/queue/jobs';
import { emitToUsers } from '../app/realtime/emitter';

/** The `notifications` queue's processor: persists the notification (once) and pushes it. */
export async function processNotificationJob(
  job: Job<JobPayloads['notifications']>,
): Promise<{ created: string | null }> {
  const created = await createNotification(job.data);
  if (created) {
    const notification = await notificationJson(created.userId, created.id);
    if (notification) await emitToUsers([created.userId], 'notification', { notification });
  }
  return { created: created?.id ?? null };
}
