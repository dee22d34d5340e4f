import { SENTINEL, keys } from '../cache/keys';
import { SNAPSHOT_TTL_SECONDS, snapshotPage } from '../cache/snapshots';
import { snapshotCursor } from '../http/paging';
import { redis } from '../infra/redis';

/**
 * Popular tweets: engagement is counted into hourly sorted sets as it happens; a read
 * combines the last 24 of them, recent hours weighing more (halving every 6 hours), into a
 * snapshot (app/cache/snapshots.ts) shared by every reader. Pages of one snapshot never skip
 * or repeat; a new snapshot is made at most every 30 seconds.
 */
const WEIGHTS = { like: 1, retweet: 2, reply: 2 } as const;
const HOUR_MS = 3_600_000;
const HALF_LIFE_HOURS = 6;
const SNAPSHOT_EVERY_MS = 30_000;

const bucketKey = keys.popularHour;
const snapshotKey = keys.popularSnapshot;
const CURRENT = keys.popularCurrent();

/** Counts one engagement for a tweet in the current hour. */
export async function recordEngagement(tweetId: string, kind: keyof typeof WEIGHTS): Promise<void> {
  const key = bucketKey(Math.floor(Date.now() / HOUR_MS));
  await redis
    .multi()
    .zincrby(key, WEIGHTS[kind], tweetId)
    .expire(key, 25 * 3600)
    .exec();
}

/** Drops a deleted tweet from the current hours' rankings. */
export async function forgetPopular(tweetIds: string[]): Promise<void> {
  if (tweetIds.length === 0) return;
  const hour = Math.floor(Date.now() / HOUR_MS);
  const pipeline = redis.pipeline();
  for (let age = 0; age < 24; age += 1) pipeline.zrem(bucketKey(hour - age), ...tweetIds);
  await pipeline.exec();
}

/** The id of a fresh enough snapshot, making one when the last is older than 30 s. */
export async function currentSnapshot(): Promise<string> {
  const current = await redis.get(CURRENT);
  if (
    current &&
    Date.now() - Number(current) < SNAPSHOT_EVERY_MS &&
    (await redis.exists(snapshotKey(current)))
  ) {
    return current;
  }
  const stamp = String(Date.now());
  const hour = Math.floor(Number(stamp) / HOUR_MS);
  const buckets = Array.from({ length: 24 }, (_, age) => bucketKey(hour - age));
  const weights = buckets.map((_, age) => Math.pow(0.5, age / HALF_LIFE_HOURS));
  await redis
    .multi()
    .zunionstore(snapshotKey(stamp), buckets.length, ...buckets, 'WEIGHTS', ...weights)
    .zadd(snapshotKey(stamp), 0, SENTINEL) // exists even when nothing was engaged with
    .expire(snapshotKey(stamp), SNAPSHOT_TTL_SECONDS)
    .set(CURRENT, stamp, 'EX', SNAPSHOT_TTL_SECONDS)
    .exec();
  return stamp;
}

/** Tweet ids of the popular snapshot `stamp` from `offset`; null when it expired. */
export const popularSnapshotPage = (stamp: string, offset: number, count: number) =>
  snapshotPage(snapshotKey(stamp), offset, count);

/** The opaque cursor of a popular page: snapshot stamp and offset. */
export const popularCursor = snapshotCursor('p1');
