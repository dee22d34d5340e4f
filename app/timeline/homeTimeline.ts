import { encodeCursor } from '../http/paging';
import { logger } from '../infra/logger';
import { assemble, type Hydrated } from '../tweets/cache';
import { hydrateTweets } from '../tweets/cache';
import { pageJson } from '../tweets/presenter';
import { entryIdsByAuthors, followeesOf, rebuildAuthor, rebuildHome } from './build';
import { store } from './store';

type HomePageResult = ['missing'] | ['authors', ...string[]] | ['page', string[], Hydrated];

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

/**
 * A page of the viewer's home timeline as JSON text: newest first, below the cursor. Warm,
 * it is one Redis round trip (a script reads the timeline, merges followed celebrities'
 * recent tweets and hydrates the page) and no SQL.
 */
export async function readHomeTimeline(
  viewerId: string,
  below: string | undefined,
  limit: number,
): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let result: HomePageResult;
    try {
      result = (await store.homePage(
        viewerId,
        below ?? '+inf',
        String(limit + 1),
      )) as HomePageResult;
    } catch (error) {
      logger.debug({ err: error }, 'timeline store unavailable; reading MySQL');
      return readFromMysql(viewerId, below, limit);
    }
    if (result[0] === 'missing') {
      await rebuildHome(viewerId);
    } else if (result[0] === 'authors') {
      await Promise.all(result.slice(1).map((authorId) => rebuildAuthor(authorId)));
    } else {
      const [, ids, raw] = result;
      return toJsonPage(ids, await assemble(viewerId, ids, raw), limit);
    }
  }
  return readFromMysql(viewerId, below, limit);
}
