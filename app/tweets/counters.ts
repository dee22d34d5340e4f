import { type Transaction } from 'sequelize';
import { notFound } from '../http/errors';
import { lockTweet, moveCounter, type Counter, type TweetCounts } from '../records/tweets';
import { isInactive } from '../records/users';

/**
 * How writes move a tweet's counters: lock the row first (the original, for an id naming a
 * retweet entry), move one counter, answer the counts for the cache. The SQL is in
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

/** Where each counter is in TweetCounts. */
const FIELD: Record<Counter, 'likesCount' | 'retweetsCount' | 'repliesCount'> = {
  likes_count: 'likesCount',
  retweets_count: 'retweetsCount',
  replies_count: 'repliesCount',
};

/**
 * Moves one counter of a tweet by ±1 (in SQL, no read-modify-write). Given the row this
 * transaction locked, answers its counts as the UPDATE left them, worked out here (the lock
 * means nothing else moved them: no read back, one round trip less per like, retweet or
 * reply); given an id, reads them back.
 */
export async function bumpCounter(
  tweet: TweetCounts | string,
  counter: Counter,
  delta: 1 | -1,
  transaction: Transaction,
): Promise<TweetCounts | null> {
  const id = typeof tweet === 'string' ? tweet : tweet.id;
  await moveCounter(id, counter, delta, transaction);
  if (typeof tweet === 'string') return lockTweet(id, transaction);
  const field = FIELD[counter];
  // As moveCounter's SQL: never below 0, and the version moves with every change.
  return { ...tweet, [field]: Math.max(tweet[field] + delta, 0), version: tweet.version + 1 };
}
