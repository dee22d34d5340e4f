import { type Transaction } from 'sequelize';
import { sequelize } from '../infra/db';
import { notFound } from '../http/errors';
import { lockTweet, moveCounter, type Counter, type TweetCounts } from './records';

/** Locks the original tweet an id names (a retweet entry's id names its original). */
export async function lockOriginal(id: string, transaction: Transaction): Promise<TweetCounts> {
  const row = await lockTweet(id, transaction);
  if (!row) throw notFound('tweet');
  if (!row.retweetOfId) return row;
  const original = await lockTweet(row.retweetOfId, transaction);
  if (!original) throw notFound('tweet');
  return original;
}

/** Moves one counter of a locked tweet by ±1 (in SQL, no read-modify-write) and reads it back. */
export async function bumpCounter(
  id: string,
  counter: Counter,
  delta: 1 | -1,
  transaction: Transaction,
): Promise<TweetCounts | null> {
  await moveCounter(id, counter, delta, transaction);
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
