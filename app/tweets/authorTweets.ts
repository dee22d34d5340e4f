import { isCacheReady } from '../infra/redis';
import { rebuildAuthor, timelineCap } from '../timeline/build';
import { keys } from '../cache/keys';
import { store } from '../cache/store';
import { loadAuthorPage } from '../records/tweets';

/** Accounts with at least this many followers get their recent entries cached on first read. */
const BUSY_FOLLOWERS = 1000;

/** One page from the author's recent-entries set, or null when the set cannot answer it. */
async function fromSet(key: string, below: string | undefined, count: number) {
  const [[, ids], [, size]] = (await store
    .pipeline()
    .zrevrangebyscore(key, below ? `(${below}` : '+inf', '(0', 'LIMIT', 0, count)
    .zcard(key)
    .exec()) as [[null, string[]], [null, number]];
  // Enough ids, or the set holds every entry the author has (it is under its cap). Gone
  // since it was seen (expired, or evicted from the cache instance): not an empty page.
  if (size === 0) return null;
  return ids.length === count || size - 1 < timelineCap() ? ids : null;
}

/**
 * Entry ids of an author's tweets and retweets, newest first, below a cursor; null when
 * there is no such user. Served from the author's recent-entries set (`tl:u:<id>`, kept by
 * every write) when it is there and holds the page, and built for busy accounts on first
 * read; from MySQL for older pages and quiet accounts.
 */
export async function authorEntryIds(
  authorId: string,
  below: string | undefined,
  count: number,
): Promise<string[] | null> {
  const key = keys.author(authorId);
  const cached = isCacheReady() && (await store.exists(key)) === 1;
  const fromCache = cached ? await fromSet(key, below, count) : null;
  if (fromCache) return fromCache;
  const page = await loadAuthorPage(authorId, below, count);
  if (!page) return null;
  if (!cached && isCacheReady() && page.followers >= BUSY_FOLLOWERS) await rebuildAuthor(authorId);
  return page.ids;
}
