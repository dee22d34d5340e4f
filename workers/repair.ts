import type { JobPayloads } from '../app/queue/jobs';
import { rebuildRevocationFacts } from '../app/auth/revocationEpoch';
import { keys } from '../app/cache/keys';
import { deleteCacheKeys } from '../app/cache/store';
import { evictAuthorTweets } from '../app/tweets/cache';

/** A `repair` job of the `timeline` queue, queued by cacheUpkeep (app/cache/upkeep.ts). */
export type RepairJob = Extract<JobPayloads['timeline'], { kind: 'repair' }>;

/** Drops caches that may have missed an update while Redis was away; they rebuild from MySQL. */
export async function processRepair(scope: RepairJob): Promise<void> {
  const stale = [
    ...scope.tweetIds.map(keys.tweet),
    ...scope.userIds.flatMap((id) => [
      keys.home(id),
      keys.celebrities(id),
      keys.author(id),
      ...keys.viewerFlags(id),
      keys.hidden(id),
      keys.blocked(id),
    ]),
    // The trending sets are complete or rebuilt whole: without the marker the next read does.
    ...(scope.trending ? [keys.trendingBuilt()] : []),
  ];
  await deleteCacheKeys(stale);
  for (const authorId of scope.tweetAuthorIds ?? []) await evictAuthorTweets(authorId);
  // Rebuilt from MySQL as a whole: facts Redis lost may be anyone's, not only these users'.
  if (scope.authUserIds.length > 0) await rebuildRevocationFacts();
}
