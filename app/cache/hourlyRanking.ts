import { SENTINEL } from './keys';
import { SNAPSHOT_TTL_SECONDS, snapshotPage } from './snapshots';
import { cacheRedis } from '../infra/redis';

/**
 * Rankings of the last 24 hours kept as hourly sorted sets (popular tweets by engagement,
 * trending tags by authors): a write scores a member in its hour's set, and a read combines
 * the 24 sets, recent hours weighing more (halving every 6 hours), into a snapshot shared by
 * every reader and made at most every 30 seconds, so a read costs one union per 30 s however
 * many readers there are.
 */
export const HOUR_MS = 3_600_000;
/** How many hourly sets a ranking combines: the current hour and the 23 before it. */
export const WINDOW_HOURS = 24;
const HALF_LIFE_HOURS = 6;
const SNAPSHOT_EVERY_MS = 30_000;

/** The hour number of a time (hours since the epoch). */
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);

/** The first (oldest) hour of the window ending at `hour`. */
export const oldestHour = (hour: number): number => hour - WINDOW_HOURS + 1;

/** The hours of the window ending at `hour`, newest first. */
export const windowHours = (hour: number): number[] =>
  Array.from({ length: WINDOW_HOURS }, (_, age) => hour - age);

/** The keys of one hourly ranking. */
export interface HourlyRanking {
  hour: (hour: number) => string;
  snapshot: (stamp: string) => string;
  /** Holds the stamp of the current snapshot. */
  current: string;
}

/** Makes a snapshot of `ranking` now, the current one from then on, and answers its stamp. */
async function makeSnapshot(ranking: HourlyRanking): Promise<string> {
  const stamp = String(Date.now());
  const buckets = windowHours(hourOf(Number(stamp))).map(ranking.hour);
  const weights = buckets.map((_, age) => Math.pow(0.5, age / HALF_LIFE_HOURS));
  const snapshot = ranking.snapshot(stamp);
  await cacheRedis
    .multi()
    .zunionstore(snapshot, buckets.length, ...buckets, 'WEIGHTS', ...weights)
    .zadd(snapshot, 0, SENTINEL) // exists even when nothing was ranked
    .expire(snapshot, SNAPSHOT_TTL_SECONDS)
    .set(ranking.current, stamp, 'EX', SNAPSHOT_TTL_SECONDS)
    .exec();
  return stamp;
}

/** How many snapshots a first page makes at most when each vanishes before it is read. */
const FIRST_PAGE_ATTEMPTS = 3;

/**
 * The first `count` members of a fresh enough snapshot of `ranking`, highest first, and its
 * stamp: the current snapshot while it is under 30 s old, else a new one. The page's read
 * tells whether the snapshot is still there (snapshotPage): one gone (evicted by the cache
 * role, lost with a restart) is replaced by a new one, read in turn, so a first page never
 * finds its snapshot expired. Null only when every new one vanished too (Redis cannot keep
 * them).
 */
export async function firstSnapshotPage(
  ranking: HourlyRanking,
  count: number,
): Promise<{ stamp: string; ids: string[] } | null> {
  const pageOf = async (stamp: string) => {
    const ids = await snapshotPage(ranking.snapshot(stamp), 0, count);
    return ids === null ? null : { stamp, ids };
  };
  const current = await cacheRedis.get(ranking.current);
  const fresh = current && Date.now() - Number(current) < SNAPSHOT_EVERY_MS;
  let page = fresh ? await pageOf(current) : null;
  for (let attempt = 0; !page && attempt < FIRST_PAGE_ATTEMPTS; attempt += 1) {
    page = await pageOf(await makeSnapshot(ranking));
  }
  return page;
}
