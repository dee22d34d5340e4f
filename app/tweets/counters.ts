import { type Transaction } from 'sequelize';
import { notFound } from '../http/errors';
import { lockTweet, moveCounter, type Counter, type TweetCounts } from '../records/tweets';
import { isInactive, standingToward } from '../records/users';
import { blockedRefusal } from '../safety/refusals';

/**
 * How writes move a tweet's counters: lock the row first (the original, for an id naming a
 * retweet entry), move one counter, answer the counts for the cache. The SQL is in
 * records.ts.
 */

/**
 * Locks the original tweet an id names (a retweet entry's id names its original). 404 when
 * there is none, or when its author is suspended or being deleted: their tweets are absent to
 * every action as to every read (one more read by primary key, of the author's row, unlocked).
 * With `actorId`, that same read also refuses a block between the actor and the author (403
 * `blocked`), as refuseIfBlocked would after the lock: a like or retweet makes one round trip
 * fewer.
 */
export async function lockOriginal(
  id: string,
  transaction: Transaction,
  actorId?: string,
): Promise<TweetCounts> {
  const row = await lockTweet(id, transaction);
  if (!row) throw notFound('tweet');
  const original = row.retweetOfId ? await lockTweet(row.retweetOfId, transaction) : row;
  if (!original) throw notFound('tweet');
  await refuseUnlessReachable(original.authorId, actorId, transaction, 'tweet');
  return original;
}

/**
 * After a tweet's row lock: 404 (`what`) when its author is suspended or being deleted, and,
 * given the acting user, 403 `blocked` when either blocks the other (refuseIfBlocked's rule),
 * both from one read of the author's row.
 */
export async function refuseUnlessReachable(
  authorId: string,
  actorId: string | undefined,
  transaction: Transaction,
  what: string,
): Promise<void> {
  if (actorId === undefined || actorId === authorId) {
    if (await isInactive(authorId, transaction)) throw notFound(what);
    return;
  }
  const standing = await standingToward(authorId, actorId, transaction);
  if (standing.inactive) throw notFound(what);
  if (standing.blocked) throw blockedRefusal();
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
