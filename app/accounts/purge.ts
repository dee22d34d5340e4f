import { config } from '../../config';
import { AppError } from '../http/errors';
import { inTransaction } from '../infra/db';
import { keys } from '../cache/keys';
import { deleteCacheKeys } from '../cache/store';
import { cacheUpkeep } from '../cache/upkeep';
import { unmergeFollow } from '../timeline/maintain';
import { deleteTweet } from '../tweets/service';
import { evictTweets } from '../tweets/cache';
import { removeFollow } from '../users/service';
import { deleteBlocksOfUser } from '../records/blocks';
import { deleteBookmarksOfUser } from '../records/bookmarks';
import { connectionPage, followerPage } from '../records/follows';
import { deleteLikesOfUser, lockLikedTweetIds } from '../records/likes';
import { deleteMutesOfUser } from '../records/mutes';
import { deleteNotificationsOfUser } from '../records/notifications';
import { deletePasswordResetsOfUser } from '../records/passwordResets';
import { deleteRefreshTokensOfUser } from '../records/refreshTokens';
import { deleteMentionsOfUser } from '../records/tweetMentions';
import { entryIdsByAuthors, lockTweet, moveCounter } from '../records/tweets';
import { deleteUserRow, lockDeletingUser, lockUsersFollowers } from '../records/users';

/**
 * What deleting an account removes, step by step, a bounded batch at a time. Each batch is
 * its own transaction and leaves every counter exact, so a worker killed anywhere leaves a
 * consistent database, and the job run again (Bull's retry, or its stalled-job recovery) goes
 * on from what is left: every step reads what remains, none remembers where it was.
 *
 * A column holding a user's id is listed in a step's `columns` or in ACCOUNT_REFERENCES_KEPT
 * (test/accounts/deletion.test.ts fails on one that is neither).
 */

/** Rows one batch removes (ACCOUNT_DELETION_BATCH). */
const batchSize = (): number => config.accountDeletionBatch;

/** One step: the columns whose rows it removes, and one batch of it (answers rows handled). */
export interface PurgeStep {
  name: string;
  columns: { table: string; column: string }[];
  batch: (userId: string, size: number) => Promise<number>;
}

/**
 * Followers first, while the account's entries are still rows: unmerging a follower reads
 * them to take them out of that follower's home timeline. Then its own follows (each
 * followee's follower count moves down with the row).
 */
async function followersBatch(userId: string, size: number): Promise<number> {
  const followerIds = (await followerPage(userId, '0', size)).map((row) => row.followerId);
  if (followerIds.length === 0) return 0;
  const removed = await inTransaction(async (transaction) => {
    const rows = await lockUsersFollowers([userId, ...followerIds], transaction);
    const me = rows.find((row) => row.id === userId);
    if (!me) return [];
    const done: string[] = [];
    let followers = me.followers;
    for (const followerId of followerIds) {
      if (await removeFollow(followerId, { id: userId, followers }, transaction)) {
        followers = Math.max(followers - 1, 0);
        done.push(followerId);
      }
    }
    return done;
  });
  for (const followerId of removed) {
    await cacheUpkeep(() => unmergeFollow(followerId, userId), { userIds: [followerId] });
  }
  return followerIds.length;
}

async function followingBatch(userId: string, size: number): Promise<number> {
  const page = await connectionPage(userId, 'following', undefined, size);
  if (page.length === 0) return 0;
  await inTransaction(async (transaction) => {
    const rows = await lockUsersFollowers([userId, ...page.map((row) => row.userId)], transaction);
    for (const followee of rows) {
      if (followee.id !== userId) await removeFollow(userId, followee, transaction);
    }
  });
  return page.length;
}

/**
 * Its tweets and retweet entries, newest first, each deleted as its author deletes it
 * (deleteTweet: dependants, retweets of it by others, the parent's reply count, trending,
 * the timeline job): one transaction per entry, so counters stay exact between any two.
 */
async function tweetsBatch(userId: string, size: number): Promise<number> {
  const ids = await entryIdsByAuthors([userId], size);
  for (const id of ids) {
    try {
      await deleteTweet(userId, id);
    } catch (error) {
      // Gone meanwhile (a retweet entry goes with its original): nothing left to do.
      if (!(error instanceof AppError && error.code === 'not_found')) throw error;
    }
  }
  return ids.length;
}

/** Its likes: each liked tweet's count moves down in the transaction that removes the like. */
async function likesBatch(userId: string, size: number): Promise<number> {
  const tweetIds = await inTransaction(async (transaction) => {
    const liked = await lockLikedTweetIds(userId, size, transaction);
    for (const tweetId of liked) {
      if (await lockTweet(tweetId, transaction)) {
        await moveCounter(tweetId, 'likes_count', -1, transaction);
      }
    }
    if (liked.length > 0) await deleteLikesOfUser(userId, liked, transaction);
    return liked;
  });
  await cacheUpkeep(() => evictTweets(tweetIds), { tweetIds });
  return tweetIds.length;
}

/** Blocks or mutes either way: the other side's cached block and hidden sets are refilled. */
const pairsBatch =
  (remove: typeof deleteBlocksOfUser) =>
  async (userId: string, size: number): Promise<number> => {
    const others = await inTransaction((transaction) => remove(userId, size, transaction));
    const stale = [...new Set(others)].flatMap((id) => [keys.blocked(id), keys.hidden(id)]);
    if (stale.length > 0) await cacheUpkeep(() => deleteCacheKeys(stale), { userIds: others });
    return others.length;
  };

/** Mentions naming the account: the tweets that named it show the name no more. */
async function mentionsBatch(userId: string, size: number): Promise<number> {
  const tweetIds = await inTransaction((transaction) =>
    deleteMentionsOfUser(userId, size, transaction),
  );
  await cacheUpkeep(() => evictTweets(tweetIds), { tweetIds });
  return tweetIds.length;
}

/** Every step, in order. A new table with a user column adds its step (or a kept reason). */
export const PURGE_STEPS: readonly PurgeStep[] = [
  {
    name: 'followers',
    columns: [{ table: 'follows', column: 'followee_id' }],
    batch: followersBatch,
  },
  {
    name: 'following',
    columns: [{ table: 'follows', column: 'follower_id' }],
    batch: followingBatch,
  },
  {
    name: 'tweets',
    columns: [
      { table: 'tweets', column: 'author_id' },
      // The tweets' hashtag uses go with them (TWEET_DEPENDANTS).
      { table: 'tweet_hashtags', column: 'author_id' },
    ],
    batch: tweetsBatch,
  },
  { name: 'likes', columns: [{ table: 'likes', column: 'user_id' }], batch: likesBatch },
  {
    name: 'bookmarks',
    columns: [{ table: 'bookmarks', column: 'user_id' }],
    batch: (userId, size) =>
      inTransaction((transaction) => deleteBookmarksOfUser(userId, size, transaction)),
  },
  {
    name: 'blocks',
    columns: [
      { table: 'blocks', column: 'blocker_id' },
      { table: 'blocks', column: 'blocked_id' },
    ],
    batch: pairsBatch(deleteBlocksOfUser),
  },
  {
    name: 'mutes',
    columns: [
      { table: 'mutes', column: 'muter_id' },
      { table: 'mutes', column: 'muted_id' },
    ],
    batch: pairsBatch(deleteMutesOfUser),
  },
  {
    name: 'notifications',
    columns: [
      { table: 'notifications', column: 'user_id' },
      { table: 'notifications', column: 'actor_id' },
    ],
    batch: (userId, size) =>
      inTransaction((transaction) => deleteNotificationsOfUser(userId, size, transaction)),
  },
  {
    name: 'mentions',
    columns: [{ table: 'tweet_mentions', column: 'user_id' }],
    batch: mentionsBatch,
  },
];

/** Rows removed with the user row itself, in its transaction (few per account). */
export const REMOVED_WITH_ACCOUNT = [
  { table: 'refresh_tokens', column: 'user_id' },
  { table: 'password_resets', column: 'user_id' },
];

/** Columns naming a user whose rows outlive the account, each with the reason. */
export const ACCOUNT_REFERENCES_KEPT: readonly { table: string; column: string; reason: string }[] =
  [
    {
      table: 'audit_log',
      column: 'target_user_id',
      reason: 'the audit log keeps whom an admin acted on, for good (the name shows as null)',
    },
    {
      table: 'audit_log',
      column: 'admin_id',
      reason: 'the audit log keeps which admin acted, for good (the name shows as null)',
    },
    {
      table: 'unpublished_revocations',
      column: 'user_id',
      reason: 'a revocation notice the nodes read until the tokens it revokes expire',
    },
  ];

/**
 * Runs the deletion of an account to its end: each step until it finds nothing left, then
 * the user row (with its sessions and reset links) in one transaction. Answers false when
 * there was nothing to do (no such row, or one not being deleted). Safe to run again at
 * any point, also after the end.
 */
export async function purgeAccount(
  userId: string,
  { afterBatch = () => undefined }: { afterBatch?: (step: string) => unknown } = {},
): Promise<boolean> {
  if (!(await inTransaction((t) => lockDeletingUser(userId, t)))?.deleting) return false;
  const size = batchSize();
  for (const step of PURGE_STEPS) {
    while ((await step.batch(userId, size)) > 0) await afterBatch(step.name);
  }
  return inTransaction(async (transaction) => {
    const user = await lockDeletingUser(userId, transaction);
    if (!user?.deleting) return false;
    await deleteRefreshTokensOfUser(userId, transaction);
    await deletePasswordResetsOfUser(userId, transaction);
    // A mention or notification written while the job ran (a name in flight): gone too.
    await deleteMentionsOfUser(userId, 10_000, transaction);
    await deleteNotificationsOfUser(userId, 10_000, transaction);
    await deleteUserRow(userId, transaction);
    return true;
  });
}
