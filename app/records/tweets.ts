import { type Transaction } from 'sequelize';
import { select, execute, type ReadFrom } from '../infra/db';
import { Tweet } from '../../models';
import { recountCounters, type RecountScope } from './recount';
import { activeUserSql } from './users';
import { blockedEitherWaySql } from './blocks';

/**
 * The `tweets` table: every SQL statement whose main table is `tweets` lives here (reads for
 * the cache and timelines, posts, retweet entries, counters, deletes), so services, workers
 * and seeders never hold SQL of their own. A row delete goes through the `Tweet` model (the
 * same single statement). The rest stays raw SQL, as Sequelize would cost or cannot: a post
 * (Model.save was 4% of a CPU profile of posts: validation, hooks, clones), reads joining
 * `users` and id lists on the hot paths (no model instances), `FOR UPDATE` locks, `INSERT
 * IGNORE` whose affected rows say whether a retweet is new, counters moved in SQL (`x = x +
 * 1`, no read-modify-write) and multi-row seeding INSERTs.
 */

/** A tweet row with its author, as the cache and the presenters need it. */
export interface TweetRow {
  id: string;
  authorId: string;
  username: string;
  displayName: string;
  content: string;
  replyToId: string | null;
  retweetOfId: string | null;
  likesCount: number;
  retweetsCount: number;
  repliesCount: number;
  version: number;
  createdAt: Date;
}

/** Each TweetRow field and its column, of the tweet (`t`) or of its author (`u`). */
const TWEET_ROW_COLUMNS = {
  id: ['t', 'id'],
  authorId: ['t', 'author_id'],
  username: ['u', 'username'],
  displayName: ['u', 'display_name'],
  content: ['t', 'content'],
  replyToId: ['t', 'reply_to_id'],
  retweetOfId: ['t', 'retweet_of_id'],
  likesCount: ['t', 'likes_count'],
  retweetsCount: ['t', 'retweets_count'],
  repliesCount: ['t', 'replies_count'],
  version: ['t', 'version'],
  createdAt: ['t', 'created_at'],
} as const satisfies Record<keyof TweetRow, readonly ['t' | 'u', string]>;

/**
 * The columns of a TweetRow from tweets aliased `t` and their authors aliased `u`, each
 * named `as` + its field: SELECT_TWEETS's list, and that of a join reading a tweet beside
 * other rows (a notification's, app/records/notifications.ts), read back by `tweetRowFrom`.
 */
export const tweetRowColumns = (t: string, u: string, as = ''): string =>
  Object.entries(TWEET_ROW_COLUMNS)
    .map(([field, [table, column]]) => `${table === 't' ? t : u}.${column} AS ${as}${field}`)
    .join(', ');

/** Tweets `t` with their authors `u`, inactive authors' tweets left out. */
const TWEETS_WITH_AUTHORS = `FROM tweets t JOIN users u ON u.id = t.author_id AND ${activeUserSql('u')}`;

const SELECT_TWEETS = `SELECT ${tweetRowColumns('t', 'u')} ${TWEETS_WITH_AUTHORS}`;

/**
 * The TweetRow in a joined row's columns named by tweetRowColumns with prefix `as`; null
 * when the join found none (no such tweet, or its author inactive when joined on
 * activeUserSql, as SELECT_TWEETS does).
 */
export function tweetRowFrom(raw: Record<string, unknown>, as: string): TweetRow | null {
  if (raw[`${as}id`] === null || raw[`${as}username`] === null) return null;
  const row = Object.fromEntries(
    Object.keys(TWEET_ROW_COLUMNS).map((field) => [field, raw[`${as}${field}`]]),
  );
  return normalise(row as unknown as TweetRow);
}

/**
 * Rows for these ids, plus the originals of any retweets among them (one or two queries).
 * Rows of inactive authors (suspended, being deleted) are missing, as deleted rows are: the
 * cache is filled from here, so every list drops them, and a retweet of one drops with its
 * original.
 */
export async function loadTweetRows(
  ids: string[],
  read: ReadFrom = {},
): Promise<Map<string, TweetRow>> {
  const rows = new Map<string, TweetRow>();
  let wanted = [...new Set(ids)];
  for (let round = 0; round < 2 && wanted.length > 0; round += 1) {
    const found = await select<TweetRow>(`${SELECT_TWEETS} WHERE t.id IN (:ids)`, {
      replacements: { ids: wanted },
      ...read,
    });
    for (const row of found) rows.set(String(row.id), normalise(row));
    wanted = found
      .map((row) => row.retweetOfId)
      .filter((id): id is string => id !== null && !rows.has(String(id)))
      .map(String);
  }
  return rows;
}

/**
 * A page of an author's entry ids (newest first, below a cursor), and whether the author is
 * there, in one round trip: null when there is no such user (or it is suspended). The page is
 * cut inside the derived table, on the (author_id, id) index, so a prolific author costs no
 * more than a quiet one (the outer sort orders at most `limit` rows).
 */
export async function loadAuthorPage(
  authorId: string,
  below: string | undefined,
  limit: number,
): Promise<string[] | null> {
  const rows = await select<{ id: string | null }>(
    `SELECT t.id
       FROM users u
       LEFT JOIN (SELECT id, author_id FROM tweets
                   WHERE author_id = :authorId ${below ? 'AND id < :below' : ''}
                   ORDER BY id DESC LIMIT :limit) t ON t.author_id = u.id
      WHERE u.id = :authorId AND ${activeUserSql('u')}
      ORDER BY t.id DESC`,
    { replacements: { authorId, below, limit } },
  );
  if (rows.length === 0) return null;
  return rows.filter((row) => row.id !== null).map((row) => String(row.id));
}

/** Ids of the originals a viewer has retweeted (the `retweeted` viewer set, on a cache miss). */
export async function retweetedTweetIds(viewerId: string, read: ReadFrom = {}): Promise<string[]> {
  const rows = await select<{ id: string }>(
    'SELECT retweet_of_id AS id FROM tweets WHERE author_id = :viewerId AND retweet_of_id IS NOT NULL',
    { replacements: { viewerId }, ...read },
  );
  return rows.map((row) => String(row.id));
}

/** A tweet's counters and what a write that moves them needs to know. */
export interface TweetCounts {
  id: string;
  authorId: string;
  retweetOfId: string | null;
  likesCount: number;
  retweetsCount: number;
  repliesCount: number;
  version: number;
}

const COUNTS_COLUMNS = `id, author_id AS authorId, retweet_of_id AS retweetOfId,
  likes_count AS likesCount, retweets_count AS retweetsCount, replies_count AS repliesCount, version`;

/**
 * Locks a tweet's row for the rest of the transaction and returns it. Every write that
 * touches a tweet's counters takes this lock first, so they queue instead of deadlocking.
 */
export async function lockTweet(id: string, transaction: Transaction): Promise<TweetCounts | null> {
  const [row] = await select<TweetCounts>(
    `SELECT ${COUNTS_COLUMNS} FROM tweets WHERE id = :id FOR UPDATE`,
    { replacements: { id }, transaction },
  );
  return row ? normaliseCounts(row) : null;
}

/** A locked tweet, and how its author stands toward the user acting on it. */
export interface LockedTweet {
  tweet: TweetCounts;
  /** The author is suspended or being deleted: their tweets are absent to every action. */
  authorInactive: boolean;
  /** The author and the acting user block one another, either way (false with no actor). */
  blocked: boolean;
}

/**
 * lockTweet, with its author's standing toward `actorId` read in the same statement: a like,
 * retweet or reply makes one round trip fewer. The subqueries' rows are read, not locked
 * (InnoDB locks only the outer table's rows of a locking read), as a read of the author's
 * row after the lock would be.
 */
export async function lockTweetWithStanding(
  id: string,
  actorId: string | null,
  transaction: Transaction,
): Promise<LockedTweet | null> {
  const [row] = await select<TweetCounts & { authorInactive: number; blocked: number }>(
    `SELECT ${COUNTS_COLUMNS},
       NOT EXISTS(SELECT 1 FROM users WHERE users.id = tweets.author_id
                  AND ${activeUserSql('users')}) AS authorInactive,
       ${blockedEitherWaySql(':actorId', 'tweets.author_id')} AS blocked
     FROM tweets WHERE id = :id FOR UPDATE`,
    { replacements: { id, actorId }, transaction },
  );
  if (!row) return null;
  return {
    tweet: normaliseCounts(row),
    authorInactive: Boolean(Number(row.authorInactive)),
    blocked: Boolean(Number(row.blocked)),
  };
}

/** A tweet counter a like, retweet or reply moves. */
export type Counter = 'likes_count' | 'retweets_count' | 'replies_count';

/** Moves one counter of a locked tweet by ±1 in SQL (never below 0), and its version. */
export async function moveCounter(
  id: string,
  counter: Counter,
  delta: 1 | -1,
  transaction: Transaction,
): Promise<void> {
  const change = delta > 0 ? `${counter} + 1` : `GREATEST(${counter}, 1) - 1`;
  await execute(`UPDATE tweets SET ${counter} = ${change}, version = version + 1 WHERE id = :id`, {
    replacements: { id },
    transaction,
  });
}

function normaliseCounts(row: TweetCounts): TweetCounts {
  return {
    id: String(row.id),
    authorId: String(row.authorId),
    retweetOfId: row.retweetOfId === null ? null : String(row.retweetOfId),
    likesCount: Number(row.likesCount),
    retweetsCount: Number(row.retweetsCount),
    repliesCount: Number(row.repliesCount),
    version: Number(row.version),
  };
}

/** Newest entry ids by these authors, below `below` / above `above` when given. */
export async function entryIdsByAuthors(
  authors: string[],
  limit: number,
  range: { below?: string; above?: string } = {},
  read: ReadFrom = {},
): Promise<string[]> {
  if (authors.length === 0) return [];
  const rows = await select<{ id: string }>(
    `SELECT id FROM tweets WHERE author_id IN (:authors)
     ${range.below ? 'AND id < :below' : ''} ${range.above ? 'AND id > :above' : ''}
     ORDER BY id DESC LIMIT :limit`,
    { replacements: { authors, limit, ...range }, ...read },
  );
  return rows.map((row) => String(row.id));
}

/** Every entry id of these authors from `fromId` on (all by default), in no particular order. */
export async function entryIdsSince(
  authors: string[],
  fromId = '0',
  read: ReadFrom = {},
): Promise<string[]> {
  const rows = await select<{ id: string }>(
    'SELECT id FROM tweets WHERE author_id IN (:authors) AND id >= :fromId',
    { replacements: { authors, fromId }, ...read },
  );
  return rows.map((row) => String(row.id));
}

/** The oldest post (not a retweet) of an author with this content and parent, or null. */
export async function findPostId(
  authorId: string,
  content: string,
  replyToId: string | null,
): Promise<string | null> {
  const [found] = await select<{ id: string }>(
    `SELECT id FROM tweets WHERE author_id = :authorId AND content = :content
     AND retweet_of_id IS NULL AND reply_to_id <=> :replyToId ORDER BY id LIMIT 1`,
    { replacements: { authorId, content, replyToId } },
  );
  return found ? String(found.id) : null;
}

/**
 * A tweet just posted, read back after its commit (from the primary: `read`), with its
 * author's follower count in the same statement: the post's answer and what its delivery
 * needs (entryAuthor's facts), one query. Null when gone (or its author inactive).
 */
export async function postedTweetRow(
  id: string,
  read: ReadFrom,
): Promise<{ row: TweetRow; followers: number } | null> {
  const [raw] = await select<TweetRow & { followers: number }>(
    `SELECT ${tweetRowColumns('t', 'u')}, u.followers_count AS followers ${TWEETS_WITH_AUTHORS}
      WHERE t.id = :id`,
    { replacements: { id }, ...read },
  );
  return raw ? { row: normalise(raw), followers: Number(raw.followers) } : null;
}

/**
 * An entry's author and their follower count, and for a retweet entry its original's author
 * (what fan-out needs), or null when it is gone.
 */
export async function entryAuthor(
  id: string,
  read: ReadFrom = {},
): Promise<{ authorId: string; followers: number; originalAuthorId: string | null } | null> {
  const [row] = await select<{
    authorId: string;
    followers: number;
    originalAuthorId: string | null;
  }>(
    `SELECT t.author_id AS authorId, u.followers_count AS followers,
            o.author_id AS originalAuthorId
     FROM tweets t JOIN users u ON u.id = t.author_id
     LEFT JOIN tweets o ON o.id = t.retweet_of_id
     WHERE t.id = :id`,
    { replacements: { id }, ...read },
  );
  if (!row) return null;
  return {
    authorId: String(row.authorId),
    followers: Number(row.followers),
    originalAuthorId: row.originalAuthorId === null ? null : String(row.originalAuthorId),
  };
}

/** The author of a tweet (`of: 'tweet'`) or of the tweet it replies to; null when gone. */
export async function authorIdOf(id: string, of: 'tweet' | 'parent'): Promise<string | null> {
  const [row] = await select<{ authorId: string }>(
    of === 'parent'
      ? 'SELECT p.author_id AS authorId FROM tweets r JOIN tweets p ON p.id = r.reply_to_id WHERE r.id = :id'
      : 'SELECT author_id AS authorId FROM tweets WHERE id = :id',
    { replacements: { id } },
  );
  return row ? String(row.authorId) : null;
}

/** The id of the tweet a tweet replies to (null for none), read in the transaction. */
export async function replyToIdOf(id: string, transaction: Transaction): Promise<string | null> {
  const [row] = await select<{ replyToId: string | null }>(
    'SELECT reply_to_id AS replyToId FROM tweets WHERE id = :id',
    { replacements: { id }, transaction },
  );
  return row?.replyToId ? String(row.replyToId) : null;
}

/**
 * A page of a tweet's direct replies (oldest first, above a cursor) in one round trip: null
 * when there is no such tweet (or its author is suspended). The page is a range read on
 * `tweets_reply_to_id`, which InnoDB keeps as (reply_to_id, id), so it needs no sort however
 * many replies there are.
 */
export async function replyPage(
  parentId: string,
  after: string | undefined,
  limit: number,
): Promise<string[] | null> {
  const rows = await select<{ parentId: string; id: string | null }>(
    `SELECT p.id AS parentId, r.id
       FROM tweets p
       JOIN users pu ON pu.id = p.author_id AND ${activeUserSql('pu')}
       LEFT JOIN (SELECT id, reply_to_id FROM tweets
                   WHERE reply_to_id = :parentId ${after ? 'AND id > :after' : ''}
                   ORDER BY id LIMIT :limit) r ON r.reply_to_id = p.id
      WHERE p.id = :parentId
      ORDER BY r.id`,
    { replacements: { parentId, after, limit } },
  );
  if (rows.length === 0) return null;
  return rows.filter((row) => row.id !== null).map((row) => String(row.id));
}

/** Deeper than any conversation gets: only a guard against a reply_to_id loop in bad data. */
const MAX_THREAD_DEPTH = 10_000;

/**
 * The tweets a tweet replies to, nearest `max` that still exist, root first. The walk goes up
 * reply_to_id; at a deleted tweet (no row) it takes the link `deleted_tweet_links` kept, so
 * deleted ancestors are skipped and the chain goes on above them. One recursive query; it
 * stops once `max` existing ancestors are found. Empty for a missing tweet or a non-reply.
 */
export async function ancestorIds(id: string, max: number): Promise<string[]> {
  const rows = await select<{ id: string }>(
    `WITH RECURSIVE chain (id, depth, found_before) AS (
       SELECT reply_to_id, 1, CAST(0 AS UNSIGNED) FROM tweets
        WHERE id = :id AND reply_to_id IS NOT NULL
       UNION ALL
       SELECT COALESCE(t.reply_to_id, d.reply_to_id), c.depth + 1,
              c.found_before + (t.id IS NOT NULL)
         FROM chain c
         LEFT JOIN tweets t ON t.id = c.id
         LEFT JOIN deleted_tweet_links d ON d.tweet_id = c.id
        WHERE COALESCE(t.reply_to_id, d.reply_to_id) IS NOT NULL
          AND c.found_before + (t.id IS NOT NULL) < :max AND c.depth < :maxDepth
     )
     SELECT c.id FROM chain c JOIN tweets t ON t.id = c.id ORDER BY c.depth DESC`,
    { replacements: { id, max, maxDepth: MAX_THREAD_DEPTH } },
  );
  return rows.map((row) => String(row.id));
}

/**
 * Inserts a post or a reply and answers its id. `created_at` is the database's clock, as
 * for every row, so ids and times of entries from several API nodes agree.
 */
export async function insertTweet(
  row: { authorId: string; content: string; replyToId: string | null },
  transaction?: Transaction,
): Promise<string> {
  const { insertId } = await execute(
    `INSERT INTO tweets (author_id, content, reply_to_id, created_at)
     VALUES (:authorId, :content, :replyToId, UTC_TIMESTAMP(3))`,
    { replacements: row, transaction },
  );
  return insertId;
}

/** Inserts a user's retweet entry of a tweet; its id, or null when they had retweeted it. */
export async function insertRetweetEntry(
  userId: string,
  tweetId: string,
  transaction?: Transaction,
): Promise<string | null> {
  const result = await execute(
    `INSERT IGNORE INTO tweets (author_id, content, retweet_of_id, created_at)
     VALUES (:userId, '', :tweetId, UTC_TIMESTAMP(3))`,
    { replacements: { userId, tweetId }, transaction },
  );
  return result.affectedRows === 0 ? null : result.insertId;
}

/** Locks a user's retweet entry of a tweet and answers its id (null when there is none). */
export async function lockRetweetEntry(
  userId: string,
  tweetId: string,
  transaction: Transaction,
): Promise<string | null> {
  const [entry] = await select<{ id: string }>(
    'SELECT id FROM tweets WHERE retweet_of_id = :tweetId AND author_id = :userId FOR UPDATE',
    { replacements: { userId, tweetId }, transaction },
  );
  return entry ? String(entry.id) : null;
}

/** Locks every retweet entry of a tweet and answers them. */
export async function lockRetweetsOf(
  id: string,
  transaction: Transaction,
): Promise<{ id: string; authorId: string }[]> {
  const rows = await select<{ id: string; authorId: string }>(
    'SELECT id, author_id AS authorId FROM tweets WHERE retweet_of_id = :id FOR UPDATE',
    { replacements: { id }, transaction },
  );
  return rows.map((row) => ({ id: String(row.id), authorId: String(row.authorId) }));
}

/** Deletes the retweet entries of any of these tweets (a tweet's dependants, on delete). */
export async function deleteRetweetsOf(
  tweetIds: string[],
  transaction: Transaction,
): Promise<void> {
  await Tweet.destroy({ where: { retweetOfId: tweetIds }, transaction });
}

/** Deletes one tweet row (its dependants are `dependants.ts`'s business). */
export async function deleteTweetRow(id: string, transaction: Transaction): Promise<void> {
  await Tweet.destroy({ where: { id }, transaction });
}

/** Columns of the tuples `insertTweetsBulk` takes, in order. */
export const TWEET_BULK_COLUMNS = [
  'author_id',
  'content',
  'reply_to_id',
  'retweet_of_id',
  'created_at',
] as const;

/**
 * Bulk seeding: one multi-row INSERT of pre-rendered SQL literal tuples (in
 * TWEET_BULK_COLUMNS order), one statement per batch instead of one ORM call per row.
 */
export async function insertTweetsBulk(
  tuples: string[],
): Promise<{ affectedRows: number; insertId: string }> {
  return execute(
    `INSERT INTO tweets (${TWEET_BULK_COLUMNS.join(', ')}) VALUES ${tuples.join(',')}`,
  );
}

/** What each counter counts: the rows of `from` whose `key` names the tweet. */
const COUNTED: Record<Counter, { from: 'likes' | 'tweets'; key: string }> = {
  likes_count: { from: 'likes', key: 'tweet_id' },
  retweets_count: { from: 'tweets', key: 'retweet_of_id' },
  replies_count: { from: 'tweets', key: 'reply_to_id' },
};

/** How many counters `recountTweetCounters` sets (for progress). */
export const TWEET_COUNTER_COUNT = Object.keys(COUNTED).length;

/**
 * Seeding: sets every counter of the tweets in scope to what the rows say; a changed row's
 * version moves too (caches keep the highest version they saw). Answers how many rows changed.
 */
export async function recountTweetCounters(
  scope: RecountScope,
  onStep?: () => void,
): Promise<number> {
  return recountCounters('tweets', COUNTED, scope, {
    alsoSet: 't.version = t.version + 1, ',
    onStep,
  });
}

/**
 * Ids of an author's rows (tweets and retweet entries) above `after`, ascending, at most
 * `limit`: one range of the (author_id, id) index. Read from the primary, so a row committed
 * a moment ago (and perhaps cached from the primary) is not missed behind a lagging replica.
 */
export async function authorRowIdsAfter(
  authorId: string,
  after: string,
  limit: number,
): Promise<string[]> {
  const rows = await select<{ id: string }>(
    `SELECT id FROM tweets WHERE author_id = :authorId AND id > :after ORDER BY id LIMIT :limit`,
    { replacements: { authorId, after, limit }, useMaster: true },
  );
  return rows.map((row) => String(row.id));
}

function normalise(row: TweetRow): TweetRow {
  return {
    ...row,
    id: String(row.id),
    authorId: String(row.authorId),
    replyToId: row.replyToId === null ? null : String(row.replyToId),
    retweetOfId: row.retweetOfId === null ? null : String(row.retweetOfId),
    likesCount: Number(row.likesCount),
    retweetsCount: Number(row.retweetsCount),
    repliesCount: Number(row.repliesCount),
    version: Number(row.version),
    createdAt: new Date(row.createdAt),
  };
}
