import { type Transaction } from 'sequelize';
import { notFound } from '../http/errors';
import {
  lockTweet,
  lockTweetWithStanding,
  moveCounter,
  type Counter,
  type LockedTweet,
  type TweetCounts,
} from '../records/tweets';
import { blockedRefusal } from '../safety/refusals';

/**
 * How writes move a tweet's counters: lock the row first (the original, for an id naming a
 * retweet entry), move one counter, answer the counts for the cache. The SQL is in
 * records.ts.
 */

/**
 * Locks the original tweet an id names (a retweet entry's id names its original). 404 when
 * there is none, or when its author is suspended or being deleted: their tweets are absent to
 * every action as to every read. With `actorId`, a block between the actor and the author is
 * refused (403 `blocked`), as refuseIfBlocked would. The author's standing is read by the
 * locking statement itself (lockTweetWithStanding).
 */
export async function lockOriginal(
  id: string,
  transaction: Transaction,
  actorId?: string,
): Promise<TweetCounts> {
  let locked = await lockTweetWithStanding(id, actorId ?? null, transaction);
  const originalId = locked?.tweet.retweetOfId;
  if (originalId) locked = await lockTweetWithStanding(originalId, actorId ?? null, transaction);
  return reachableOrRefused(locked, 'tweet');
}

/**
 * A locked tweet, when the acting user may act on it: 404 (`what`) when there is none or its
 * author is suspended or being deleted, 403 `blocked` when either blocks the other
 * (refuseIfBlocked's rule).
 */
export function reachableOrRefused(locked: LockedTweet | null, what: string): TweetCounts {
  if (!locked || locked.authorInactive) throw notFound(what);
  if (locked.blocked) throw blockedRefusal();
  return locked.tweet;
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
