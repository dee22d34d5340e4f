import { notFound } from '../http/errors';
import { toPage } from '../http/paging';
import type { ScriptBudget } from '../http/route';
import { isCacheReady } from '../infra/redis';
import { rebuildAuthor, timelineCap } from '../timeline/build';
import { keys } from '../cache/keys';
import { store } from '../cache/store';
import { loadAuthorPage } from '../records/tweets';
import { renderingScriptReply } from './pageScript';
import { pageBytes } from './presenter';

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
 * every write) when it is there and holds the page, and built on a first read; from MySQL
 * for older pages (below the cap).
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
  const ids = await loadAuthorPage(authorId, below, count);
  if (!ids) return null;
  // Built on a first read (a set of at most the timeline cap, with its time to live): the
  // next pages, and the next readers, are one Redis round trip (renderedAuthorPage).
  if (!cached && isCacheReady()) await rebuildAuthor(authorId);
  return ids;
}

/**
 * A warm page of an author's entries as the viewer sees it, rendered by Redis (the
 * `authorPage` script, as the home page is) in one round trip, the caller's rate-limit point
 * spent in it; null when the script cannot answer it whole: the set is not there or does not
 * hold the page, the viewer's blocked set or a record is not cached, no entry is left to
 * show (the caller's slower path tells an empty page from a suspended author), Redis is away,
 * or on a Redis Cluster. 404 when the author and the viewer block one another.
 */
export async function renderedAuthorPage(
  viewerId: string,
  authorId: string,
  below: string | undefined,
  limit: number,
  budget: ScriptBudget | null,
): Promise<Buffer | null> {
  const reply = await renderingScriptReply('author page', budget, (...spend) =>
    store.authorPageBuffer(
      viewerId,
      authorId,
      below ?? '+inf',
      String(limit + 1),
      String(limit),
      String(timelineCap()),
      ...spend,
    ),
  );
  if (!reply) return null;
  const tag = String(reply[0]);
  if (tag === 'owner') throw notFound('user');
  const rendered = reply[2] as Buffer | null;
  if (tag !== 'page' || !rendered || rendered.length === 0) return null;
  const ids = (reply[1] as unknown as Buffer[]).map(String);
  return pageBytes(rendered, toPage(ids, limit, (id) => id).nextCursor);
}
