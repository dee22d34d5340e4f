import {
  claimTrendingRebuild,
  dropTrending,
  isTrendingBuilt,
  releaseTrendingRebuild,
  replaceTrending,
  topTrending,
  trendingSince,
  type TrendingTag,
} from '../cache/trending';
import { rankingUnavailable } from '../http/errors';
import { isCacheReady } from '../infra/redis';
import { recentTagUses } from '../records/hashtags';

/** How many tags GET /hashtags/trending answers. */
export const TRENDING_COUNT = 10;

/**
 * Rebuilds the trending sets from tweet_hashtags rows of the last 24 hours: after Redis lost
 * them (the next read calls this), and for tweets written behind the API's back (seeders).
 */
export async function rebuildTrending(): Promise<void> {
  await dropTrending();
  await replaceTrending(await recentTagUses(trendingSince()));
}

/**
 * The tags used by the most distinct authors in the last 24 hours, recent use weighing more,
 * with how many authors used each. Rebuilds the sets first when they are missing; while
 * another process rebuilds them, answers from what is there. Without Redis: 503, as the
 * ranking lives nowhere else (MySQL could only rebuild it, at a cost not for every read).
 */
export async function trendingTags(): Promise<TrendingTag[]> {
  if (!isCacheReady()) {
    throw rankingUnavailable('Trending tags');
  }
  if (!(await isTrendingBuilt()) && (await claimTrendingRebuild())) {
    try {
      await rebuildTrending();
    } finally {
      await releaseTrendingRebuild();
    }
  }
  const tags = await topTrending(TRENDING_COUNT);
  if (!tags) throw rankingUnavailable('Trending tags');
  return tags;
}
