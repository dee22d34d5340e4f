import { SENTINEL } from './keys';
import { cacheRedis } from '../infra/redis';

/**
 * Ranked snapshots: a ranking that changes while a client pages through it (popular tweets by
 * engagement, user search by followers) is frozen into a sorted set once, and every page
 * reads it by offset, so pages of one snapshot never skip or repeat. Members are ids ranked
 * by score, highest first; the sentinel `0` (score 0) makes an empty ranking exist, and a
 * missing key means the snapshot expired (or Redis lost it): the client starts again.
 */

/** How long a snapshot serves its pages: the time a client has to page through it. */
export const SNAPSHOT_TTL_SECONDS = 600;

/** Stores `ids` as a snapshot at `key`, the first ranked highest. */
export async function storeSnapshot(key: string, ids: string[]): Promise<void> {
  const scored = ids.flatMap((id, rank) => [ids.length - rank, id]);
  await cacheRedis
    .multi()
    .del(key)
    .zadd(key, 0, SENTINEL, ...scored)
    .expire(key, SNAPSHOT_TTL_SECONDS)
    .exec();
}

/** Ids of the snapshot at `key` from `offset`, `count` of them; null when it expired. */
export async function snapshotPage(
  key: string,
  offset: number,
  count: number,
): Promise<string[] | null> {
  const [[, exists], [, ids]] = (await cacheRedis
    .multi()
    .exists(key)
    .zrevrangebyscore(key, '+inf', '(0', 'LIMIT', offset, count)
    .exec()) as [[null, number], [null, string[]]];
  return exists ? ids : null;
}
