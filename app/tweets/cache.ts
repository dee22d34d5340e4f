import { QueryTypes } from 'sequelize';
import { sequelize } from '../infra/db';
import { logger } from '../infra/logger';
import { SENTINEL, TWEET_CACHE_TTL_SECONDS, VIEWER_SET_TTL_SECONDS, keys } from '../timeline/keys';
import { scriptPipeline, store } from '../timeline/store';
import { assembleTweet, prefixOf, type TweetPieces } from './presenter';
import { loadTweetRows, type TweetRow } from './records';

const RECORD = /^(\d+)\|(\d+)\|(\d+)\|(\d+)\|(\d*)\|/;

/**
 * A cached tweet is one string, `version|likes|retweets|replies|retweetOf|prefix` (the
 * prefix last: it may contain `|`), so a page is one MGET and the viewer's flags two
 * SMISMEMBERs, a handful of plain commands whatever the page size. (A Lua script doing the
 * same cost Redis five times the CPU: see docs/decisions/0006.)
 */
function parseRecord(id: string, record: string | null): TweetPieces {
  const match = record ? RECORD.exec(record) : null;
  if (!record || !match) {
    return {
      id,
      prefix: '',
      likes: 0,
      retweets: 0,
      replies: 0,
      retweetOf: null,
      liked: null,
      retweeted: null,
    };
  }
  return {
    id,
    prefix: record.slice(match[0].length),
    likes: Number(match[2]),
    retweets: Number(match[3]),
    replies: Number(match[4]),
    retweetOf: match[5] || null,
    liked: null,
    retweeted: null,
  };
}

type Replies = [Error | null, unknown][];

/** Cached records and the viewer's flags for ids, in one pipelined round trip. */
async function readCached(viewerId: string | null, ids: string[]): Promise<TweetPieces[]> {
  const pipeline = store.pipeline().mget(...ids.map(keys.tweet));
  if (viewerId) {
    pipeline
      .exists(keys.liked(viewerId), keys.retweeted(viewerId))
      .smismember(keys.liked(viewerId), ...ids)
      .smismember(keys.retweeted(viewerId), ...ids);
  }
  const replies = (await pipeline.exec()) as Replies;
  for (const [error] of replies) if (error) throw error;
  const records = replies[0][1] as (string | null)[];
  const known = viewerId !== null && replies[1][1] === 2; // both viewer sets are cached
  const liked = known ? (replies[2][1] as number[]) : [];
  const retweeted = known ? (replies[3][1] as number[]) : [];
  return ids.map((id, i) => ({
    ...parseRecord(id, records[i]),
    liked: known ? liked[i] === 1 : null,
    retweeted: known ? retweeted[i] === 1 : null,
  }));
}

/** Cached pieces of ids and of the originals their retweets point at (one or two trips). */
export async function readCachedTweets(
  viewerId: string | null,
  ids: string[],
): Promise<TweetPieces[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const pieces = await readCached(viewerId, unique);
  const seen = new Set(unique);
  const originals = [
    ...new Set(
      pieces.map((p) => p.retweetOf).filter((id): id is string => id !== null && !seen.has(id)),
    ),
  ];
  return originals.length > 0 ? [...pieces, ...(await readCached(viewerId, originals))] : pieces;
}

function piecesFromRow(row: TweetRow): TweetPieces {
  return {
    id: row.id,
    prefix: prefixOf(row),
    likes: row.likesCount,
    retweets: row.retweetsCount,
    replies: row.repliesCount,
    retweetOf: row.retweetOfId,
    liked: null,
    retweeted: null,
  };
}

/** Stores rows in the tweet cache (skipped where a newer version is cached). */
async function fillCache(rows: TweetRow[]): Promise<void> {
  if (rows.length === 0) return;
  const pipeline = scriptPipeline();
  for (const row of rows) {
    const fields = [
      String(row.likesCount),
      String(row.retweetsCount),
      String(row.repliesCount),
      row.retweetOfId ?? '',
      prefixOf(row),
    ];
    pipeline.writeTweetCache(
      keys.tweet(row.id),
      'full',
      String(row.version),
      String(TWEET_CACHE_TTL_SECONDS),
      ...fields,
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
    String(row.likesCount),
    String(row.retweetsCount),
    String(row.repliesCount),
  );
}

export async function evictTweets(ids: string[]): Promise<void> {
  if (ids.length > 0) await store.del(...ids.map(keys.tweet));
}

/** Builds a viewer's liked and retweeted sets from MySQL (on a cache miss). */
async function loadViewerSets(
  viewerId: string,
): Promise<{ liked: Set<string>; retweeted: Set<string> }> {
  const [liked, retweeted] = await Promise.all([
    sequelize.query<{ id: string }>('SELECT tweet_id AS id FROM likes WHERE user_id = :viewerId', {
      replacements: { viewerId },
      type: QueryTypes.SELECT,
    }),
    sequelize.query<{ id: string }>(
      'SELECT retweet_of_id AS id FROM tweets WHERE author_id = :viewerId AND retweet_of_id IS NOT NULL',
      { replacements: { viewerId }, type: QueryTypes.SELECT },
    ),
  ]);
  const sets = {
    liked: new Set(liked.map((row) => String(row.id))),
    retweeted: new Set(retweeted.map((row) => String(row.id))),
  };
  const pipeline = store.multi();
  for (const [key, members] of [
    [keys.liked(viewerId), sets.liked],
    [keys.retweeted(viewerId), sets.retweeted],
  ] as const) {
    pipeline.sadd(key, SENTINEL, ...members);
    pipeline.expire(key, VIEWER_SET_TTL_SECONDS);
  }
  await pipeline.exec();
  return sets;
}

/** After a committed like/unlike or retweet/unretweet: keeps the viewer's set in step. */
export async function updateViewerSet(
  kind: 'liked' | 'retweeted',
  viewerId: string,
  tweetId: string,
  present: boolean,
): Promise<void> {
  await store.updateExistingSet(keys[kind](viewerId), present ? 'add' : 'rem', tweetId);
}

/**
 * Completes hydrated records: what the cache missed comes from MySQL in one or two queries
 * (and goes back into the cache), unknown viewer flags from the viewer's likes and retweets.
 */
async function complete(
  viewerId: string | null,
  records: TweetPieces[],
): Promise<Map<string, TweetPieces>> {
  const byId = new Map(records.map((r) => [r.id, r]));
  const missing = records.filter((r) => r.prefix === '').map((r) => r.id);
  const originalsMissing = records
    .filter((r) => r.retweetOf && !byId.get(r.retweetOf)?.prefix)
    .map((r) => r.retweetOf!);
  if (missing.length > 0 || originalsMissing.length > 0) {
    const rows = await loadTweetRows([...missing, ...originalsMissing]);
    for (const id of missing) byId.delete(id);
    for (const row of rows.values()) {
      const old = byId.get(row.id);
      byId.set(row.id, {
        ...piecesFromRow(row),
        liked: old?.liked ?? null,
        retweeted: old?.retweeted ?? null,
      });
    }
    try {
      await fillCache([...rows.values()]);
    } catch (error) {
      logger.debug({ err: error }, 'tweet cache fill failed');
    }
  }
  const pieces = [...byId.values()];
  if (viewerId === null) {
    for (const p of pieces) [p.liked, p.retweeted] = [false, false];
  } else if (pieces.some((p) => !p.retweetOf && (p.liked === null || p.retweeted === null))) {
    const sets = await loadViewerSets(viewerId);
    for (const p of pieces)
      [p.liked, p.retweeted] = [sets.liked.has(p.id), sets.retweeted.has(p.id)];
  }
  return byId;
}

/** Turns cached pieces into JSON texts, in the order of `ids`, completing misses from MySQL. */
export async function assemble(
  viewerId: string | null,
  ids: string[],
  cached: TweetPieces[],
): Promise<(string | null)[]> {
  const byId = await complete(viewerId, cached);
  return ids.map((id) => {
    const pieces = byId.get(id);
    return pieces ? assembleTweet(pieces, byId) : null;
  });
}

/** JSON texts of tweets (or retweet entries) by id, for a viewer; null where one is gone. */
export async function hydrateTweets(
  viewerId: string | null,
  ids: string[],
): Promise<(string | null)[]> {
  if (ids.length === 0) return [];
  let cached: TweetPieces[];
  try {
    cached = await readCachedTweets(viewerId, ids);
  } catch (error) {
    logger.debug({ err: error }, 'tweet cache unavailable; reading MySQL');
    cached = [...new Set(ids)].map((id) => parseRecord(id, null));
  }
  return assemble(viewerId, ids, cached);
}
