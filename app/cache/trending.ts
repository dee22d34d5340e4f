import { keys } from './keys';
import { scriptPipeline, store } from './store';
import {
  firstSnapshotPage,
  hourOf,
  oldestHour,
  windowHours,
  WINDOW_HOURS,
  HOUR_MS,
} from './hourlyRanking';

/**
 * Trending hashtags in Redis: the tags used by the most distinct authors in the last 24
 * hours, recent use weighing more. Per tag, a sorted set of authors scored by the hour of
 * their last use; per hour, a sorted set of tags scored by the authors whose last use falls
 * in that hour (moveTagUse keeps the two in step). An author who uses a tag again moves from
 * their old hour to the new one, so twenty posts by one author count once, and their
 * weight is that of their latest use. A read ranks a weighted union of the 24 hour sets
 * (app/cache/hourlyRanking.ts, as popular tweets are ranked).
 *
 * The sets are a cache of tweet_hashtags: a marker key says they are complete; when it is
 * missing (Redis lost them, or a repair dropped it) writes skip them and the next read
 * rebuilds them from MySQL (app/hashtags/trending.ts).
 */
export const TRENDING_RANKING = {
  hour: keys.trendingHour,
  snapshot: keys.trendingSnapshot,
  current: keys.trendingCurrent(),
};

const REBUILD_LOCK_SECONDS = 60;
const HOUR_SECONDS = HOUR_MS / 1000;

export interface TrendingTag {
  tag: string;
  /** Distinct authors who used the tag in the last 24 hours. */
  authors: number;
}

/** The first instant of the trending window that holds `now`. */
export const trendingSince = (now = Date.now()): Date =>
  new Date(oldestHour(hourOf(now)) * HOUR_MS);

/** Moves one author's use of each tag to the hour of the time given, or removes it (null). */
export async function moveTagUses(
  authorId: string,
  lastUses: ReadonlyMap<string, Date | null>,
): Promise<void> {
  if (lastUses.size === 0) return;
  const hour = hourOf(Date.now());
  const buckets = windowHours(hour).map(keys.trendingHour);
  const fixed = [keys.trendingBuilt(), keys.trendingTags()];
  const pipeline = scriptPipeline();
  for (const [tag, at] of lastUses) {
    const to = at === null ? '' : String(hourOf(at.getTime()));
    const scriptKeys = [fixed[0], keys.trendingLastUse(tag), fixed[1], ...buckets];
    pipeline.moveTagUse(scriptKeys.length, ...scriptKeys, tag, authorId, String(hour), to);
  }
  await pipeline.exec();
}

/** Counts a new use of each tag by its author, now. */
export const recordTagUses = (authorId: string, tags: readonly string[]): Promise<void> =>
  moveTagUses(authorId, new Map(tags.map((tag) => [tag, new Date()])));

/**
 * The `count` trending tags, most trending first; [] when nothing was tagged; null when Redis
 * lost every snapshot made for the read before it was read.
 */
export async function topTrending(count: number): Promise<TrendingTag[] | null> {
  // A few more than asked: a tag the snapshot ranks may have lost its last authors since.
  const page = await firstSnapshotPage(TRENDING_RANKING, count * 2);
  if (!page) return null;
  const tags = page.ids;
  if (tags.length === 0) return [];
  const oldest = oldestHour(hourOf(Date.now()));
  const pipeline = store.pipeline();
  for (const tag of tags) pipeline.zcount(keys.trendingLastUse(tag), oldest, '+inf');
  const counts = ((await pipeline.exec()) ?? []).map(([, n]) => Number(n));
  return tags
    .map((tag, i) => ({ tag, authors: counts[i] }))
    .filter((entry) => entry.authors > 0)
    .slice(0, count);
}

/** Whether the trending sets are complete (not lost with Redis, not dropped by a repair). */
export async function isTrendingBuilt(): Promise<boolean> {
  return (await store.exists(keys.trendingBuilt())) === 1;
}

/** Takes the rebuild lock: true for the one caller that should rebuild now. */
export async function claimTrendingRebuild(): Promise<boolean> {
  return (
    (await store.set(keys.trendingRebuilding(), '1', 'EX', REBUILD_LOCK_SECONDS, 'NX')) === 'OK'
  );
}

export async function releaseTrendingRebuild(): Promise<void> {
  await store.del(keys.trendingRebuilding());
}

/** Drops the marker: live writes stop counting until a rebuild replaces the sets. */
export async function dropTrending(): Promise<void> {
  await store.del(keys.trendingBuilt());
}

/**
 * Replaces the trending sets with the last uses given (each author's latest use of each tag
 * in the window, from MySQL) and marks them complete, in one MULTI. Call dropTrending first,
 * so no live write lands between reading MySQL and this.
 */
export async function replaceTrending(
  uses: readonly { tag: string; authorId: string; at: Date }[],
): Promise<void> {
  const hour = hourOf(Date.now());
  const oldest = oldestHour(hour);
  const byTag = new Map<string, (string | number)[]>();
  const perHour = new Map<number, Map<string, number>>();
  for (const { tag, authorId, at } of uses) {
    const used = hourOf(at.getTime());
    if (used < oldest || used > hour) continue;
    const scored = byTag.get(tag) ?? [];
    scored.push(used, authorId);
    byTag.set(tag, scored);
    const counts = perHour.get(used) ?? new Map<string, number>();
    counts.set(tag, (counts.get(tag) ?? 0) + 1);
    perHour.set(used, counts);
  }
  const previous = await store.zrange(keys.trendingTags(), 0, -1);
  const multi = store.multi();
  for (const tag of previous) multi.del(keys.trendingLastUse(tag));
  multi.del(
    keys.trendingTags(),
    keys.trendingCurrent(),
    ...windowHours(hour).map(keys.trendingHour),
  );
  for (const [tag, scored] of byTag) {
    multi.zadd(keys.trendingLastUse(tag), ...scored);
    multi.expire(keys.trendingLastUse(tag), (WINDOW_HOURS + 1) * HOUR_SECONDS);
    multi.zadd(keys.trendingTags(), hour, tag);
  }
  for (const [used, counts] of perHour) {
    multi.zadd(keys.trendingHour(used), ...[...counts].flatMap(([tag, n]) => [n, tag]));
    multi.expireat(keys.trendingHour(used), (used + WINDOW_HOURS + 1) * HOUR_SECONDS);
  }
  multi.expire(keys.trendingTags(), (WINDOW_HOURS + 2) * HOUR_SECONDS);
  multi.set(keys.trendingBuilt(), '1');
  await multi.exec();
}
