import { keys } from '../cache/keys';
import { firstSnapshotPage, hourOf, windowHours } from '../cache/hourlyRanking';
import { snapshotPage } from '../cache/snapshots';
import { snapshotCursor } from '../http/paging';
import { cacheRedis } from '../infra/redis';

/**
 * Popular tweets: engagement is counted into hourly sorted sets as it happens; a read
 * combines the last 24 of them, recent hours weighing more, into a snapshot shared by every
 * reader and made at most every 30 seconds (app/cache/hourlyRanking.ts, as trending tags).
 * Pages of one snapshot (app/cache/snapshots.ts) never skip or repeat.
 */
const WEIGHTS = { like: 1, retweet: 2, reply: 2 } as const;

const POPULAR_RANKING = {
  hour: keys.popularHour,
  snapshot: keys.popularSnapshot,
  current: keys.popularCurrent(),
};

/** Counts one engagement for a tweet in the current hour. */
export async function recordEngagement(tweetId: string, kind: keyof typeof WEIGHTS): Promise<void> {
  const key = POPULAR_RANKING.hour(hourOf(Date.now()));
  await cacheRedis
    .multi()
    .zincrby(key, WEIGHTS[kind], tweetId)
    .expire(key, 25 * 3600)
    .exec();
}

/** Drops a deleted tweet from the current hours' rankings. */
export async function forgetPopular(tweetIds: string[]): Promise<void> {
  if (tweetIds.length === 0) return;
  const pipeline = cacheRedis.pipeline();
  for (const hour of windowHours(hourOf(Date.now())))
    pipeline.zrem(POPULAR_RANKING.hour(hour), ...tweetIds);
  await pipeline.exec();
}

/**
 * The first `count` ids of a fresh enough snapshot (made when the last is older than 30 s),
 * and its stamp; null when Redis could keep none long enough to read it.
 */
export const firstPopularPage = (count: number) => firstSnapshotPage(POPULAR_RANKING, count);

/** Tweet ids of the popular snapshot `stamp` from `offset`; null when it expired. */
export const popularSnapshotPage = (stamp: string, offset: number, count: number) =>
  snapshotPage(POPULAR_RANKING.snapshot(stamp), offset, count);

/** The opaque cursor of a popular page: snapshot stamp and offset. */
export const popularCursor = snapshotCursor('p1');
