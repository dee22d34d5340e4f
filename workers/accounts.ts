import type { Job } from 'bull';
import type { JobPayloads } from '../app/queue/jobs';
import { purgeAccount } from '../app/accounts/purge';
import { logger } from '../app/infra/logger';
import { processRepair } from './repair';

/**
 * The `accounts` queue: deletes an account marked as being deleted (DELETE /users/me), its
 * rows a batch at a time (app/accounts/purge.ts). A worker that dies half-way leaves exact
 * counters; Bull's stalled-job recovery (or a retry after a failure) runs the job again and
 * it goes on from what is left. Progress is the job's progress on the queue board.
 */
export async function processAccountJob(job: Job<JobPayloads['accounts']>): Promise<void> {
  const { userId } = job.data;
  let batches = 0;
  const deleted = await purgeAccount(userId, {
    afterBatch: (step) => {
      batches += 1;
      return job.progress({ step, batches });
    },
  });
  if (!deleted) return;
  // Its own caches (timelines, viewer sets, block sets) go too; nothing reads them any more.
  await processRepair({
    kind: 'repair',
    tweetIds: [],
    userIds: [userId],
    authUserIds: [],
    tweetAuthorIds: [],
  });
  logger.info({ userId, batches }, 'account deleted');
}
