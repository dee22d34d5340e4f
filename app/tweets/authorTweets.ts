import { config } from '../../config';
import { isRedisReady } from '../infra/redis';
import { rebuildAuthor } from '../timeline/build';
import { keys } from '../timeline/keys';
import { store } from '../timeline/store';
import { loadAuthorTweetIds } from './records';

/** Accounts with at least this many followers get their recent entries cached on first read. */
const BUSY_FOLLOWERS = 1000;

/**
 * Entry ids of an author's tweets and retweets, newest first, below a cursor. Served from
 * the author's recent-entries set (`tl:u:<id>`, kept by every write) when it is there, and
 * built for busy accounts on first read; from MySQL for older pages and quiet accounts.
 */
export async function authorEntryIds(
  author: { id: string; followersCount: number },
  below: string | undefined,
  count: number,
): Promise<string[]> {
  if (isRedisReady()) {
    const key = keys.author(author.id);
    let cached = (await store.exists(key)) === 1;
    if (!cached && author.followersCount >= BUSY_FOLLOWERS) {
      await rebuildAuthor(author.id);
      cached = true;
    }
    if (cached) {
      const [[, ids], [, size]] = (await store
        .pipeline()
        .zrevrangebyscore(key, below ? `(${below}` : '+inf', '(0', 'LIMIT', 0, count)
        .zcard(key)
        .exec()) as [[null, string[]], [null, number]];
      // Enough ids, or the set holds every entry the author has (it is under its cap).
      if (ids.length === count || size - 1 < config.timeline.maxLength) return ids;
    }
  }
  return loadAuthorTweetIds(author.id, below, count);
}
