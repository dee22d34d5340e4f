import { AppError } from '../http/errors';
import { encodeCursor, toPage } from '../http/paging';
import type { ScriptBudget } from '../http/route';
import { logger } from '../infra/logger';
import { isCacheReady } from '../infra/redis';
import { hydrateTweets } from './cache';
import { authorsOfEntry, pageBytes, pageJson } from './presenter';
import { entryIdsByAuthors } from '../records/tweets';
import { followeesOf, rebuildAuthor, rebuildHome } from '../timeline/build';
import { keys } from '../cache/keys';
import { onCluster, store } from '../cache/store';
import { homeIdsFromCluster } from './clusterReads';
import { withSpentPoint } from './pageScript';
import { hiddenAuthors, loadHiddenAuthors } from '../safety/hidden';

/** A page's ids, rendered items (null: not rendered), `scanned`, and hidden authors if known. */
type HomePageResult =
  | ['missing']
  | ['hidden']
  | ['authors', ...string[]]
  | ['page', string[], Buffer | null, string, Set<string>?];

/**
 * The home page script's answer, read as bytes: a warm page's rendered items stay the Buffer
 * Redis sent (profiled: decoding the 6 KB page to a string and encoding it again for the
 * socket were about 8 % of a warm read's CPU); the ids and tags become strings. On a Redis
 * Cluster the script cannot reach other users' keys: the ids come from the viewer's slot (and
 * followed celebrities' sets), and the page is hydrated like any other (decision 17).
 */
async function homePage(
  viewerId: string,
  below: string | undefined,
  limit: number,
  budget: ScriptBudget | null,
): Promise<HomePageResult> {
  if (onCluster) {
    // Never rendered: the records are read a pipeline per node and assembled in Node.
    const result = await homeIdsFromCluster(store, viewerId, below, limit + 1);
    return result[0] === 'page' ? ['page', result[1], null, '', result[2] ?? undefined] : result;
  }
  // The caller's rate-limit point is spent by the same script (one round trip, not two).
  const reply = await withSpentPoint(budget, (...spend) =>
    store.homePageBuffer(viewerId, below ?? '+inf', String(limit + 1), String(limit), ...spend),
  );
  const tag = String(reply[0]);
  if (tag !== 'page') return [tag, ...reply.slice(1).map(String)] as HomePageResult;
  const [, ids, rendered, scanned] = reply as unknown as [Buffer, Buffer[], Buffer | null, Buffer];
  return ['page', ids.map(String), rendered, String(scanned)];
}

/** Whether an entry's text is by (or retweets) someone the viewer must not see. */
const isHidden = (text: string, hidden: ReadonlySet<string>) =>
  hidden.size > 0 && authorsOfEntry(text).some((author) => hidden.has(author));

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
 * The cursor after a page cut from `limit + 1` candidate ids: below the page's last id, or,
 * when the page is the last of the candidates, below `scanned` (the last id the script read
 * past, hidden entries included), or none.
 */
const homeCursor = (ids: string[], limit: number, scanned = ''): string | null =>
  toPage(ids, limit, (id) => id).nextCursor ?? (scanned ? encodeCursor(scanned) : null);

/**
 * Turns `limit + 1` candidate ids into a page. Entries that vanished (deleted tweets) or that
 * the viewer must not see (`hidden` authors) are dropped; the cursor still continues below
 * the last id examined (`scanned` when the script read further than the page), so nothing
 * repeats or is skipped.
 */
function toJsonPage(
  ids: string[],
  texts: (string | null)[],
  limit: number,
  hidden: ReadonlySet<string>,
  scanned = '',
): string {
  const items = texts
    .slice(0, Math.min(ids.length, limit))
    .filter((text): text is string => text !== null && !isHidden(text, hidden));
  return pageJson(items, homeCursor(ids, limit, scanned));
}

/** When Redis cannot answer: the same page read straight from MySQL (slower, still right). */
async function readFromMysql(
  viewerId: string,
  below: string | undefined,
  limit: number,
): Promise<string> {
  const [{ regular, celebrities }, hidden] = await Promise.all([
    followeesOf(viewerId),
    hiddenAuthors(viewerId),
  ]);
  const ids = await entryIdsByAuthors([viewerId, ...regular, ...celebrities], limit + 1, { below });
  return toJsonPage(ids, await hydrateTweets(viewerId, ids), limit, hidden);
}

/**
 * A page of the viewer's home timeline as JSON (text, or its UTF-8 bytes when Redis rendered
 * it): newest first, below the cursor. Warm,
 * it is one Redis round trip (a script reads the timeline, merges followed celebrities'
 * recent tweets, skips entries by or retweeting users the viewer blocks, mutes or is blocked
 * by, and hydrates the page) and no SQL. Anything more (a rebuild, loading the hidden set, a
 * read from MySQL) waits for `beforeCostlyWork`, which refuses a caller over their rate limit.
 * On a Redis Cluster a warm page is two rounds of per-node pipelines, three with retweets.
 */
export async function readHomeTimeline(
  viewerId: string,
  below: string | undefined,
  limit: number,
  beforeCostlyWork: () => Promise<void> = () => Promise.resolve(),
  budget: ScriptBudget | null = null,
): Promise<string | Buffer> {
  if (!isCacheReady()) {
    await beforeCostlyWork();
    return readFromMysql(viewerId, below, limit);
  }
  // At most: rebuild the timeline, load the hidden set, rebuild celebrities' caches, read.
  for (let attempt = 0; attempt < 4; attempt += 1) {
    let result: HomePageResult;
    try {
      // Only the first script spends the budget (ScriptBudget.take answers it once).
      result = await homePage(viewerId, below, limit, budget);
    } catch (error) {
      if (error instanceof AppError) throw error; // the 429 of a spent budget
      logger.debug({ err: error }, 'timeline store unavailable; reading MySQL');
      await beforeCostlyWork();
      return readFromMysql(viewerId, below, limit);
    }
    const warm = result[0] === 'page' && result[2] !== null;
    if (!warm) await beforeCostlyWork();
    if (result[0] === 'missing') {
      await rebuildHome(viewerId);
    } else if (result[0] === 'hidden') {
      await loadHiddenAuthors(viewerId);
    } else if (result[0] === 'authors') {
      await Promise.all(result.slice(1).map((authorId) => rebuildAuthor(authorId)));
    } else {
      const [, ids, rendered, scanned, knownHidden] = result;
      const nextCursor = homeCursor(ids, limit, scanned);
      // Rendered in Redis: every piece was cached. Otherwise fill the caches on the way; the
      // script could not tell the authors of entries not cached, so they are filtered here.
      if (rendered !== null) return pageBytes(rendered, nextCursor);
      const [texts, hidden] = await Promise.all([
        hydrateTweets(viewerId, ids.slice(0, limit)),
        knownHidden ?? hiddenAuthors(viewerId),
      ]);
      await forgetVanished(viewerId, ids.slice(0, limit), texts);
      return toJsonPage(ids, [...texts, null], limit, hidden, scanned);
    }
  }
  await beforeCostlyWork();
  return readFromMysql(viewerId, below, limit);
}
