import { FOR_CACHE_FILL, type ReadFrom } from '../infra/db';
import { logger } from '../infra/logger';
import { isCacheReady } from '../infra/redis';
import { TWEET_CACHE_TTL_SECONDS, VIEWER_FLAGS, keys, type ViewerFlag } from '../cache/keys';
import { countsText, parseRecord, recordText } from '../cache/tweetRecord';
import { deleteCacheKeys, onCluster, scriptPipeline, store } from '../cache/store';
import { fillViewerSets, changeViewerSet, viewerSetsVersion } from '../cache/viewerSets';
import { hydrateFromCluster } from './clusterReads';
import { assembleTweet, prefixOf, viewerFlags, type TweetPieces } from './presenter';
import { likedTweetIds } from '../records/likes';
import { bookmarkedTweetIds } from '../records/bookmarks';
import { mentionsOfTweets } from '../records/tweetMentions';
import type { MentionDirectory } from '../text/entities';
import {
  authorRowIdsAfter,
  loadTweetRows,
  retweetedTweetIds,
  type TweetRow,
} from '../records/tweets';

/**
 * What the hydrate scripts answer: ids, their cached records, and the viewer's flags (one
 * list of 0/1 per VIEWER_FLAGS entry, aligned with ids; none when not known).
 */
export type Hydrated = [string[], (string | null)[], number[][]];

/** Where each viewer flag's set is read from on a cache miss (the tweet ids it holds). */
const VIEWER_FLAG_LOADERS: Record<
  ViewerFlag,
  (viewerId: string, read: ReadFrom) => Promise<string[]>
> = {
  liked: likedTweetIds,
  retweeted: retweetedTweetIds,
  bookmarked: bookmarkedTweetIds,
};

/** What a record not cached (or of another shape) gives: read from MySQL by `complete`. */
const NOT_CACHED = { prefix: '', likes: 0, retweets: 0, replies: 0, retweetOf: null };

function piecesFromCache([ids, records, flags]: Hydrated): TweetPieces[] {
  return ids.map((id, i) => {
    const text = records[i];
    const { prefix, likes, retweets, replies, retweetOf } =
      (text && parseRecord(text)) || NOT_CACHED;
    const known = (f: number) => (flags[f] ? flags[f][i] === 1 : null);
    return {
      id,
      prefix,
      likes,
      retweets,
      replies,
      retweetOf,
      flags: viewerFlags((_, f) => known(f)),
    };
  });
}

function piecesFromRow(row: TweetRow, directories: MentionDirectories): TweetPieces {
  return {
    id: row.id,
    prefix: prefixOf(row, directoryOf(directories, row.id)),
    likes: row.likesCount,
    retweets: row.retweetsCount,
    replies: row.repliesCount,
    retweetOf: row.retweetOfId,
    flags: viewerFlags(() => null),
  };
}

/** Each tweet's mentioned accounts, by tweet id. */
type MentionDirectories = Map<string, MentionDirectory>;

const NO_MENTIONS: MentionDirectory = new Map();

const directoryOf = (directories: MentionDirectories, id: string) =>
  directories.get(id) ?? NO_MENTIONS;

/**
 * The accounts each tweet among `rows` mentioned when it was posted (tweet_mentions, stored
 * by its post and by the entities migration for older tweets), in one query; retweet entries
 * have no content of their own. Never the accounts that hold the names now: `@later` written
 * before `later` registered stays text. Usernames never change, so a record stays right for
 * its lifetime.
 */
async function mentionDirectories(rows: TweetRow[], read: ReadFrom): Promise<MentionDirectories> {
  // A tweet without an `@` mentions nobody: most posts skip this query.
  const tweetIds = rows
    .filter((row) => !row.retweetOfId && row.content.includes('@'))
    .map((row) => row.id);
  const directories: MentionDirectories = new Map();
  for (const mention of await mentionsOfTweets(tweetIds, read)) {
    const directory =
      directories.get(mention.tweetId) ?? new Map<string, { id: string; username: string }>();
    directory.set(mention.username.toLowerCase(), {
      id: mention.userId,
      username: mention.username,
    });
    directories.set(mention.tweetId, directory);
  }
  return directories;
}

/** Stores rows in the tweet cache (skipped where a newer version is cached). */
async function fillCache(rows: TweetRow[], directories: MentionDirectories): Promise<void> {
  if (rows.length === 0) return;
  const pipeline = scriptPipeline();
  for (const row of rows) {
    const record = recordText({
      version: row.version,
      retweetOf: row.retweetOfId,
      prefix: prefixOf(row, directoryOf(directories, row.id)),
      likes: row.likesCount,
      retweets: row.retweetsCount,
      replies: row.repliesCount,
    });
    pipeline.writeTweetCache(
      keys.tweet(row.id),
      'full',
      String(row.version),
      String(TWEET_CACHE_TTL_SECONDS),
      record,
    );
  }
  await pipeline.exec();
}

/** After a committed counter change: refreshes the cached counters if a record is cached. */
export async function refreshCachedCounts(
  row: Pick<TweetRow, 'id' | 'likesCount' | 'retweetsCount' | 'repliesCount' | 'version'>,
): Promise<void> {
  await store.writeTweetCache(
    keys.tweet(row.id),
    'counts',
    String(row.version),
    String(TWEET_CACHE_TTL_SECONDS),
    countsText(row.likesCount, row.retweetsCount, row.repliesCount),
  );
}

export async function evictTweets(ids: string[]): Promise<void> {
  await deleteCacheKeys(ids.map(keys.tweet));
}

/** How many of an author's records one round of `evictAuthorTweets` reads and drops. */
const AUTHOR_EVICT_BATCH = 1000;

/**
 * Drops the cached records of every row an author wrote (their tweets, and their retweet
 * entries, whose prefix embeds them as `retweetedBy`), so each is filled again from MySQL
 * with the author as they are now (after a display-name change). Every read path (a tweet,
 * home and author timelines, notifications) assembles tweets from these records, so this is
 * all that embeds the name. Which of the rows are cached is not known, so all are dropped:
 * one indexed range of ids and one DEL per 1,000 rows, bounded by the author's row count.
 */
export async function evictAuthorTweets(authorId: string): Promise<void> {
  let after = '0';
  for (;;) {
    const ids = await authorRowIdsAfter(authorId, after, AUTHOR_EVICT_BATCH);
    await evictTweets(ids);
    if (ids.length < AUTHOR_EVICT_BATCH) return;
    after = ids[ids.length - 1];
  }
}

/**
 * Writes what was read from MySQL back to the cache, when Redis is there to take it: the
 * answer is already known, so a cache that is away (or fails) must neither fail nor delay it.
 */
async function cacheBestEffort(what: string, write: () => Promise<unknown>): Promise<void> {
  if (!isCacheReady()) return;
  try {
    await write();
  } catch (error) {
    logger.debug({ err: error }, `${what} fill failed`);
  }
}

/** Where rows of a cache miss are read: the primary when they will fill the cache (Redis there). */
function readForFill(read: ReadFrom): ReadFrom {
  return isCacheReady() ? FOR_CACHE_FILL : read;
}

/** Builds every viewer-flag set of a viewer from MySQL (on a cache miss). */
async function loadViewerSets(
  viewerId: string,
  read: ReadFrom,
): Promise<Record<ViewerFlag, Set<string>>> {
  const version = await viewerSetsVersion(viewerId);
  const loaded = await Promise.all(
    VIEWER_FLAGS.map(async ({ name }) => {
      const ids = await VIEWER_FLAG_LOADERS[name](viewerId, read);
      return [name, new Set(ids)] as const;
    }),
  );
  const sets = Object.fromEntries(loaded) as Record<ViewerFlag, Set<string>>;
  await writeViewerSets(viewerId, sets, version);
  return sets;
}

/**
 * Writes viewer-flag sets read from MySQL, unless a change to one of the viewer's sets, made
 * while it was missing, followed `version` (app/cache/viewerSets.ts): skipped, the next read
 * loads them again.
 */
export async function writeViewerSets(
  viewerId: string,
  sets: Record<ViewerFlag, Set<string>>,
  version: string,
): Promise<void> {
  await cacheBestEffort('viewer sets', () =>
    fillViewerSets(
      viewerId,
      VIEWER_FLAGS.map(({ name }) => [keys[name](viewerId), sets[name]] as const),
      version,
    ),
  );
}

/** After a committed like/unlike or retweet/unretweet: keeps the viewer's set in step. */
export async function updateViewerSet(
  kind: ViewerFlag,
  viewerId: string,
  tweetId: string,
  present: boolean,
): Promise<void> {
  await changeViewerSet(viewerId, { key: keys[kind](viewerId), member: tweetId, present });
}

/**
 * Completes hydrated records: what the cache missed comes from MySQL in one or two queries
 * (and goes back into the cache), unknown viewer flags from the viewer's likes and retweets.
 */
async function complete(
  viewerId: string | null,
  records: TweetPieces[],
  read: ReadFrom,
  readAlready: TweetRow[] = [],
): Promise<Map<string, TweetPieces>> {
  const byId = new Map(records.map((r) => [r.id, r]));
  const missing = records.filter((r) => r.prefix === '').map((r) => r.id);
  const originalsMissing = records
    .filter((r) => r.retweetOf && !byId.get(r.retweetOf)?.prefix)
    .map((r) => r.retweetOf!);
  if (missing.length > 0 || originalsMissing.length > 0) {
    const rows = await rowsOf([...missing, ...originalsMissing], readAlready, readForFill(read));
    const directories = await mentionDirectories([...rows.values()], readForFill(read));
    // The flags the script read from the viewer's cached sets hold for a missed record too:
    // keep them, or every miss (a tweet just posted) would load the viewer's sets from MySQL.
    const known = new Map(records.map((r) => [r.id, r.flags]));
    for (const id of missing) byId.delete(id);
    for (const row of rows.values()) {
      byId.set(row.id, {
        ...piecesFromRow(row, directories),
        flags: known.get(row.id) ?? viewerFlags(() => null),
      });
    }
    await cacheBestEffort('tweet cache', () => fillCache([...rows.values()], directories));
  }
  const pieces = [...byId.values()];
  if (viewerId === null) {
    for (const p of pieces) p.flags = viewerFlags(() => false);
  } else if (pieces.some((p) => !p.retweetOf && Object.values(p.flags).includes(null))) {
    const sets = await loadViewerSets(viewerId, readForFill(read));
    for (const p of pieces) p.flags = viewerFlags((flag) => sets[flag].has(p.id));
  }
  return byId;
}

/**
 * The rows of `ids` (and of the originals of retweets among them): those in `readAlready`
 * (read by a caller's own query) as they are, the rest from MySQL.
 */
async function rowsOf(
  ids: string[],
  readAlready: TweetRow[],
  read: ReadFrom,
): Promise<Map<string, TweetRow>> {
  const rows = new Map(readAlready.map((row) => [row.id, row]));
  const more = [...ids, ...readAlready.map((row) => row.retweetOfId ?? row.id)].filter(
    (id) => !rows.has(id),
  );
  if (more.length > 0) for (const [id, row] of await loadTweetRows(more, read)) rows.set(id, row);
  return rows;
}

/**
 * Turns records as the hydrate scripts return them into JSON texts, in the order of `ids`;
 * rows a caller read already (`readAlready`) are not read again.
 */
export async function assemble(
  viewerId: string | null,
  ids: string[],
  hydrated: Hydrated,
  read: ReadFrom = {},
  readAlready: TweetRow[] = [],
): Promise<(string | null)[]> {
  const byId = await complete(viewerId, piecesFromCache(hydrated), read, readAlready);
  return ids.map((id) => {
    const pieces = byId.get(id);
    return pieces ? assembleTweet(pieces, byId) : null;
  });
}

/**
 * The cached records of `ids` and their originals, with the viewer's flags: one script call on
 * one instance, a round or two of per-node pipelines on a cluster (app/tweets/clusterReads.ts).
 */
const readCached = async (viewerId: string, ids: string[]): Promise<Hydrated> =>
  onCluster
    ? hydrateFromCluster(store, viewerId, ids)
    : ((await store.hydrateTweets(viewerId, ...ids)) as Hydrated);

/** What the hydrate script answers when nothing is cached: every tweet is read from MySQL. */
const nothingCached = (ids: string[]): Hydrated => [[...new Set(ids)], [], []];

/**
 * JSON texts of tweets (or retweet entries) by id, for a viewer; null where one is gone.
 * `read` says where cache misses are read from (the primary, right after a write).
 */
export async function hydrateTweets(
  viewerId: string | null,
  ids: string[],
  read: ReadFrom = {},
): Promise<(string | null)[]> {
  if (ids.length === 0) return [];
  let hydrated: Hydrated;
  try {
    if (!isCacheReady()) throw new Error('redis is not connected');
    hydrated = await readCached(viewerId ?? '', ids);
  } catch (error) {
    logger.debug({ err: error }, 'tweet cache unavailable; reading MySQL');
    hydrated = nothingCached(ids);
  }
  return assemble(viewerId, ids, hydrated, read);
}

/**
 * hydrateTweets with every tweet read from MySQL's primary (and written back to the cache),
 * for a realtime push that must show the counters its own action moved: the push job can run
 * before the acting node's cache upkeep lands, while the cache still holds the counts from
 * before the action. Only the records are read there: the viewer's flags come from their
 * cached sets when those are there (one script call, where MySQL took three queries). Rows
 * the caller read from the primary already (`readAlready`) are not read again.
 */
export async function hydrateTweetsFromPrimary(
  viewerId: string | null,
  ids: string[],
  readAlready: TweetRow[] = [],
): Promise<(string | null)[]> {
  if (ids.length === 0) return [];
  let hydrated = nothingCached(ids);
  if (viewerId && isCacheReady()) {
    try {
      const [all, , flags] = await readCached(viewerId, ids);
      hydrated = [all, [], flags];
    } catch (error) {
      logger.debug({ err: error }, 'viewer sets unavailable; reading MySQL');
    }
  }
  return assemble(viewerId, ids, hydrated, FOR_CACHE_FILL, readAlready);
}
