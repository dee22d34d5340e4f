import { encodeCursor, toPage } from '../http/paging';
import { logger } from '../infra/logger';
import { isRedisReady } from '../infra/redis';
import { hydrateTweets } from './cache';
import { pageJson } from './presenter';
import { entryIdsByAuthors } from '../records/tweets';
import { followeesOf, rebuildAuthor, rebuildHome } from '../timeline/build';
import { keys } from '../cache/keys';
import { store } from '../cache/store';

type HomePageResult = ['missing'] | ['authors', ...string[]] | ['page', string[], string | null];

/** Entries whose tweet is gone (deleted meanwhile) leave the timeline, so pages render whole. */
async function forgetVanished(
  viewerId: string,
  ids: string[],
  texts: (string | null)[],
): Promise<void> {
  const vanished = ids.filter((_, i) => texts[i] === null);
  if (vanished.length > 0) await store.zrem(keys.home(viewerId), ...vanished);
}

/**
 * Turns `limit + 1` candidate ids into a page. Entries that vanished (deleted tweets) are
 * dropped; the cursor still continues below the last id examined, so nothing repeats.
 */
function toJsonPage(ids: string[], texts: (string | null)[], limit: number): string {
  const { data, nextCursor } = toPage(ids, limit, (id) => id);
  const items = texts.slice(0, data.length).filter((text): text is string => text !== null);
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

/**
 * A page of the viewer's home timeline as JSON text: newest first, below the cursor. Warm,
 * it is one Redis round trip (a script reads the timeline, merges followed celebrities'
 * recent tweets and hydrates the page) and no SQL. Anything more (a rebuild, a read from
 * MySQL) waits for `beforeCostlyWork`, which refuses a caller over their rate limit.
 */
export async function readHomeTimeline(
  viewerId: string,
  below: string | undefined,
  limit: number,
  beforeCostlyWork: () => Promise<void> = () => Promise.resolve(),
): Promise<string> {
  if (!isRedisReady()) {
    await beforeCostlyWork();
    return readFromMysql(viewerId, below, limit);
  }
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let result: HomePageResult;
    try {
      result = (await store.homePage(
        viewerId,
        below ?? '+inf',
        String(limit + 1),
        String(limit),
      )) as HomePageResult;
    } catch (error) {
      logger.debug({ err: error }, 'timeline store unavailable; reading MySQL');
      await beforeCostlyWork();
      return readFromMysql(viewerId, below, limit);
    }
    const warm = result[0] === 'page' && result[2] !== null;
    if (!warm) await beforeCostlyWork();
    if (result[0] === 'missing') {
      await rebuildHome(viewerId);
    } else if (result[0] === 'authors') {
      await Promise.all(result.slice(1).map((authorId) => rebuildAuthor(authorId)));
    } else {
      const [, ids, rendered] = result;
      const nextCursor = ids.length > limit ? encodeCursor(ids[limit - 1]) : null;
      // Rendered in Redis: every piece was cached. Otherwise fill the caches on the way.
      if (rendered !== null) return pageJson(rendered, nextCursor);
      const texts = await hydrateTweets(viewerId, ids.slice(0, limit));
      await forgetVanished(viewerId, ids.slice(0, limit), texts);
      return toJsonPage(ids, [...texts, null], limit);
    }
  }
  await beforeCostlyWork();
  return readFromMysql(viewerId, below, limit);
}
