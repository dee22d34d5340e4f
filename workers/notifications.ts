import type { Job } from 'bull';
import { pushNotificationJob } from '../app/realtime/notificationPush';
import type { JobPayloads } from '../app/queue/jobs';

/**
 * The `notifications` queue's processor: pushes a notification (committed with its action)
 * to its recipient. API nodes push at commit themselves (app/index.ts); a worker
 * gets the jobs they could not do (Redis away), and jobs of the old format.
 */
export async function processNotificationJob(
  job: Job<JobPayloads['notifications']>,
): Promise<{ pushed: string | null }> {
  return { pushed: await pushNotificationJob(job.data) };
}
