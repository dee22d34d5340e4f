import type { Job } from 'bull';
import { createNotification } from '../app/notifications/service';
import type { JobPayloads } from '../app/queue/jobs';

/** The `notifications` queue's processor: persists the notification (once). */
export async function processNotificationJob(
  job: Job<JobPayloads['notifications']>,
): Promise<{ created: string | null }> {
  const created = await createNotification(job.data);
  return { created: created?.id ?? null };
}
