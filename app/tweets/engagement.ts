import { inTransaction } from '../infra/db';
import { notifyInTransaction } from '../records/notifications';
import { enqueueAfterCommit } from '../queue/queues';
import { addOwnEntry, removeOwnEntries } from '../timeline/maintain';
import { cacheUpkeep } from '../cache/upkeep';
import { recordEngagement } from './popular';
import { refreshCachedCounts, updateViewerSet } from './cache';
import { bumpUserCounter } from '../records/users';
import { bumpCounter, lockOriginal } from './counters';
import { deleteLike, insertLike } from '../records/likes';
import {
  deleteTweetRow,
  insertRetweetEntry,
  lockRetweetEntry,
  type TweetCounts,
} from '../records/tweets';

/**
 * Likes and retweets. Each runs in a transaction that first locks the tweet's row, so
 * concurrent likes of one tweet queue up and the counter moves exactly once per change;
 * a second like (or retweet) by the same user changes nothing (idempotent).
 */

export async function like(
  viewerId: string,
  id: string,
): Promise<{ liked: true; likesCount: number }> {
  const { tweet, changed } = await inTransaction(async (transaction) => {
    const original = await lockOriginal(id, transaction, viewerId);
    if (!(await insertLike(viewerId, original.id, transaction))) {
      return { tweet: original, changed: false };
    }
    await notifyInTransaction(transaction, {
      type: 'like',
      actorId: viewerId,
      recipientId: original.authorId,
      tweetId: original.id,
    });
    return {
      tweet: (await bumpCounter(original, 'likes_count', 1, transaction))!,
      changed: true,
    };
  });
  if (changed) {
    await cacheUpkeep(() => afterChange(tweet, 'liked', viewerId, true), {
      userIds: [viewerId],
      tweetIds: [tweet.id],
    });
  }
  return { liked: true, likesCount: tweet.likesCount };
}

export async function unlike(
  viewerId: string,
  id: string,
): Promise<{ liked: false; likesCount: number }> {
  const { tweet, changed } = await inTransaction(async (transaction) => {
    const original = await lockOriginal(id, transaction);
    if (!(await deleteLike(viewerId, original.id, transaction))) {
      return { tweet: original, changed: false };
    }
    return {
      tweet: (await bumpCounter(original, 'likes_count', -1, transaction))!,
      changed: true,
    };
  });
  if (changed) {
    await cacheUpkeep(() => afterChange(tweet, 'liked', viewerId, false), {
      userIds: [viewerId],
      tweetIds: [tweet.id],
    });
  }
  return { liked: false, likesCount: tweet.likesCount };
}

export async function retweet(
  viewerId: string,
  id: string,
): Promise<{ retweeted: true; retweetsCount: number }> {
  const { tweet, entryId, fanout } = await inTransaction(async (transaction) => {
    const original = await lockOriginal(id, transaction, viewerId);
    const entry = await insertRetweetEntry(viewerId, original.id, transaction);
    if (!entry) return { tweet: original, entryId: null, fanout: null };
    await bumpUserCounter([viewerId], 'tweets_count', 1, transaction);
    const fanout = await enqueueAfterCommit(
      transaction,
      'fanout',
      { entryId: entry },
      { jobId: `fanout:${entry}` },
    );
    await notifyInTransaction(transaction, {
      type: 'retweet',
      actorId: viewerId,
      recipientId: original.authorId,
      tweetId: original.id,
    });
    return {
      tweet: (await bumpCounter(original, 'retweets_count', 1, transaction))!,
      entryId: entry,
      fanout,
    };
  });
  if (entryId) {
    await cacheUpkeep(
      async () => {
        // Delivered at the commit (app/delivery/fanout.ts), it is in its author's timelines.
        if (!fanout?.doneHere) await addOwnEntry(viewerId, entryId);
        await afterChange(tweet, 'retweeted', viewerId, true);
      },
      { userIds: [viewerId], tweetIds: [tweet.id] },
    );
  }
  return { retweeted: true, retweetsCount: tweet.retweetsCount };
}

export async function unretweet(
  viewerId: string,
  id: string,
): Promise<{ retweeted: false; retweetsCount: number }> {
  const { tweet, entryId } = await inTransaction(async (transaction) => {
    const original = await lockOriginal(id, transaction);
    const entryId = await lockRetweetEntry(viewerId, original.id, transaction);
    if (!entryId) return { tweet: original, entryId: null };
    await deleteTweetRow(entryId, transaction);
    await bumpUserCounter([viewerId], 'tweets_count', -1, transaction);
    await enqueueAfterCommit(
      transaction,
      'timeline',
      { kind: 'remove', entries: [{ id: entryId, authorId: viewerId }] },
      { jobId: `remove:${entryId}` },
    );
    return { tweet: (await bumpCounter(original, 'retweets_count', -1, transaction))!, entryId };
  });
  if (entryId) {
    await cacheUpkeep(
      async () => {
        await removeOwnEntries([{ id: entryId, authorId: viewerId }]);
        await afterChange(tweet, 'retweeted', viewerId, false);
      },
      { userIds: [viewerId], tweetIds: [tweet.id, entryId] },
    );
  }
  return { retweeted: false, retweetsCount: tweet.retweetsCount };
}

/** Cache upkeep once a change committed: counters, the viewer's flag, the popular ranking. */
async function afterChange(
  tweet: TweetCounts,
  flag: 'liked' | 'retweeted',
  viewerId: string,
  on: boolean,
): Promise<void> {
  await Promise.all([
    refreshCachedCounts(tweet),
    updateViewerSet(flag, viewerId, tweet.id, on),
    on ? recordEngagement(tweet.id, flag === 'liked' ? 'like' : 'retweet') : Promise.resolve(),
  ]);
}
