import { encodeCursor } from '../http/paging';
import { logger } from '../infra/logger';
import { assemble, hydrateTweets, readCachedTweets } from '../tweets/cache';
import { pageJson } from '../tweets/presenter';
import { entryIdsByAuthors, followeesOf, rebuildAuthor, rebuildHome } from './build';
import { SENTINEL, TIMELINE_TTL_SECONDS, keys } from './keys';
import { store } from './store';

type Replies = [Error | null, unknown][];

/**
 * Turns `limit + 1` candidate ids into a page. Entries that vanished (deleted tweets) are
 * dropped; the cursor still continues below the last id examined, so nothing repeats.
 */
function toJsonPage(ids: string[], texts: (string | null)[], limit: number): string {
  const examined = Math.min(ids.length, limit);
  const items = texts.slice(0, examined).filter((text): text is string => text !== null);
  const nextCursor = ids.length > limit ? encodeCursor(ids[examined - 1]) : null;
  return pageJson(items, nextCursor);
}

/** When Redis cannot answer: the same page read straight from MySQL (slower, still right). */
async function readFromMysql(
  viewerId: string,
  below: string | undefined,
  limit: number,
): Promise<string> {
  const { regular, celebrities } = await followeesOf(viewerId);
  const ids = await entryIdsByAuthors([viewerId, ...regular, ...celebrities], limit + 1, { below });
  return toJsonPage(ids, await hydrateTweets(viewerId, ids), limit);
}

const upperBound = (below: string | undefined) => (below ? `(${below}` : '+inf');

/**
 * Candidate ids of a page: the home set below the cursor, merged with the recent entries of
 * followed celebrities. Answers 'missing' (home to rebuild) or the authors whose recent
 * entries are not cached.
 */
async function pageIds(
  viewerId: string,
  below: string | undefined,
  count: number,
): Promise<string[] | 'missing' | { authors: string[] }> {
  const home = keys.home(viewerId);
  const celebrities = keys.celebrities(viewerId);
  const replies = (await store
    .pipeline()
    .exists(home, celebrities)
    .zrevrangebyscore(home, upperBound(below), '(0', 'LIMIT', 0, count)
    .smembers(celebrities)
    .expire(home, TIMELINE_TTL_SECONDS)
    .expire(celebrities, TIMELINE_TTL_SECONDS)
    .exec()) as Replies;
  for (const [error] of replies) if (error) throw error;
  if (replies[0][1] !== 2) return 'missing';
  const ids = replies[1][1] as string[];
  const followed = (replies[2][1] as string[]).filter((id) => id !== SENTINEL);
  if (followed.length === 0) return ids;
  const pipeline = store.pipeline();
  for (const author of followed) {
    pipeline.exists(keys.author(author));
    pipeline.zrevrangebyscore(keys.author(author), upperBound(below), '(0', 'LIMIT', 0, count);
  }
  const more = (await pipeline.exec()) as Replies;
  const missing = followed.filter((_, i) => more[2 * i][1] !== 1);
  if (missing.length > 0) return { authors: missing };
  const merged = new Set(ids);
  for (let i = 0; i < followed.length; i += 1)
    for (const id of more[2 * i + 1][1] as string[]) merged.add(id);
  return [...merged].sort((a, b) => Number(b) - Number(a)).slice(0, count);
}

/**
 * A page of the viewer's home timeline as JSON text: newest first, below the cursor. Warm,
 * it is two pipelined Redis round trips of plain commands (the ids, then the cached tweets
 * and the viewer's flags) and no SQL; following celebrities adds one.
 */
export async function readHomeTimeline(
  viewerId: string,
  below: string | undefined,
  limit: number,
): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let ids: Awaited<ReturnType<typeof pageIds>>;
    let cached: Awaited<ReturnType<typeof readCachedTweets>>;
    try {
      ids = await pageIds(viewerId, below, limit + 1);
      cached = Array.isArray(ids) ? await readCachedTweets(viewerId, ids) : [];
    } catch (error) {
      logger.debug({ err: error }, 'timeline store unavailable; reading MySQL');
      return readFromMysql(viewerId, below, limit);
    }
    if (ids === 'missing') await rebuildHome(viewerId);
    else if (!Array.isArray(ids))
      await Promise.all(ids.authors.map((author) => rebuildAuthor(author)));
    else return toJsonPage(ids, await assemble(viewerId, ids, cached), limit);
  }
  return readFromMysql(viewerId, below, limit);
}
