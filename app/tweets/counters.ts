import { QueryTypes, type Transaction } from 'sequelize';
import { sequelize } from '../infra/db';
import { notFound } from '../http/errors';

export interface TweetCounts {
  id: string;
  authorId: string;
  retweetOfId: string | null;
  likesCount: number;
  retweetsCount: number;
  repliesCount: number;
  version: number;
}

const SELECT_COUNTS = `SELECT id, author_id AS authorId, retweet_of_id AS retweetOfId,
  likes_count AS likesCount, retweets_count AS retweetsCount, replies_count AS repliesCount, version
  FROM tweets WHERE id = :id`;

function normalise(row: TweetCounts): TweetCounts {
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

/**
 * Locks a tweet's row for the rest of the transaction and returns it. Every write that
 * touches a tweet's counters takes this lock first, so they queue instead of deadlocking.
 */
export async function lockTweet(id: string, transaction: Transaction): Promise<TweetCounts | null> {
  const [row] = await sequelize.query<TweetCounts>(`${SELECT_COUNTS} FOR UPDATE`, {
    replacements: { id },
    type: QueryTypes.SELECT,
    transaction,
  });
  return row ? normalise(row) : null;
}

/** Locks the original tweet an id names (a retweet entry's id names its original). */
export async function lockOriginal(id: string, transaction: Transaction): Promise<TweetCounts> {
  const row = await lockTweet(id, transaction);
  if (!row) throw notFound('tweet');
  if (!row.retweetOfId) return row;
  const original = await lockTweet(row.retweetOfId, transaction);
  if (!original) throw notFound('tweet');
  return original;
}

type Counter = 'likes_count' | 'retweets_count' | 'replies_count';

/** Moves one counter of a locked tweet by ±1 in SQL (no read-modify-write) and reads it back. */
export async function bumpCounter(
  id: string,
  counter: Counter,
  delta: 1 | -1,
  transaction: Transaction,
): Promise<TweetCounts | null> {
  const change = delta > 0 ? `${counter} + 1` : `GREATEST(${counter}, 1) - 1`;
  await sequelize.query(
    `UPDATE tweets SET ${counter} = ${change}, version = version + 1 WHERE id = :id`,
    {
      replacements: { id },
      transaction,
    },
  );
  return lockTweet(id, transaction);
}

type UserCounter = 'tweets_count' | 'followers_count' | 'following_count';

/** Moves one counter of users by ±1 each, in SQL. */
export async function bumpUserCounter(
  ids: string[],
  counter: UserCounter,
  delta: 1 | -1,
  transaction: Transaction,
): Promise<void> {
  if (ids.length === 0) return;
  const change = delta > 0 ? `${counter} + 1` : `GREATEST(${counter}, 1) - 1`;
  await sequelize.query(`UPDATE users SET ${counter} = ${change} WHERE id IN (:ids)`, {
    replacements: { ids },
    transaction,
  });
}
