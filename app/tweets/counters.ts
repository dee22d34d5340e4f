import { type Transaction } from 'sequelize';
import { notFound } from '../http/errors';
import { lockTweet, moveCounter, type Counter, type TweetCounts } from '../records/tweets';

/**
 * How writes move a tweet's counters: lock the row first (the original, for an id naming a
 * retweet entry), move one counter, read the counts back for the cache. The SQL is in
 * records.ts.
 */

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
