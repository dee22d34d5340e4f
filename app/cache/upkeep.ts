import { randomUUID } from 'node:crypto';
import { logger } from '../infra/logger';
import { isCacheReady, isRedisReady } from '../infra/redis';
import { writeOutbox } from '../queue/outbox';
import { warnThrottled, withTimeout } from '../infra/timing';

const UPKEEP_TIMEOUT_MS = 1000;

/** What to reset if cache upkeep after a committed write could not be done. */
export interface RepairScope {
  tweetIds?: string[];
  userIds?: string[];
  /** Users whose token-revocation facts must be read from MySQL again. */
  authUserIds?: string[];
  /** Authors all of whose tweets' and retweet entries' records must be dropped. */
  tweetAuthorIds?: string[];
  /** Trending tags missed a use: drop their sets' marker, so they rebuild from MySQL. */
  trending?: boolean;
}

/**
 * Runs cache upkeep that follows a committed write (the author's own timeline, counters,
 * viewer flags). The write is already durable, so failing here must not fail the request:
 * instead a `repair` job goes to the outbox, and when Redis is back a worker drops the
 * affected caches, which then rebuild from MySQL. Nothing stays stale. Answers whether the
 * upkeep was done (false: the repair job is on its way).
 */
export async function cacheUpkeep(
  work: () => Promise<unknown>,
  scope: RepairScope,
): Promise<boolean> {
  try {
    // Upkeep writes caches (cache connection) and token facts (main connection).
    if (!isRedisReady() || !isCacheReady()) throw new Error('redis is not connected');
    await withTimeout(work(), UPKEEP_TIMEOUT_MS);
    return true;
  } catch (error) {
    warnThrottled(
      'cache-upkeep',
      { err: error },
      'cache upkeep failed; a repair job will reset the caches',
    );
    try {
      await writeOutbox(
        'timeline',
        {
          kind: 'repair',
          tweetIds: scope.tweetIds ?? [],
          userIds: scope.userIds ?? [],
          authUserIds: scope.authUserIds ?? [],
          tweetAuthorIds: scope.tweetAuthorIds ?? [],
          trending: scope.trending ?? false,
        },
        `repair:${randomUUID()}`,
      );
    } catch (outboxError) {
      logger.error({ err: outboxError, scope }, 'could not record a cache repair');
    }
    return false;
  }
}
