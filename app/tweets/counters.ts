import { type Transaction } from 'sequelize';
import { notFound } from '../http/errors';
import { lockTweet, moveCounter, type Counter, type TweetCounts } from '../records/tweets';
import { isInactive } from '../records/users';

/**
 * How writes move a tweet's counters: lock the row first (the original, for an id naming a
 * retweet entry), move one counter, read the counts back for the cache. The SQL is in
 * records.ts.
 */

/**
 * Locks the original tweet an id names (a retweet entry's id names its original). 404 when
 * there is none, or when its author is suspended or being deleted: their tweets are absent to
 * every action as to every read (one more read by primary key, of the author's row, unlocked).
 */
export async function lockOriginal(id: string, transaction: Transaction): Promise<TweetCounts> {
  const row = await lockTweet(id, transaction);
  if (!row) throw notFound('tweet');
  const original = row.retweetOfId ? await lockTweet(row.retweetOfId, transaction) : row;
  if (!original || (await isInactive(original.authorId, transaction))) throw notFound('tweet');
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
