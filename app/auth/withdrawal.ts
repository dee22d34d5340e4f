import { randomUUID } from 'node:crypto';
import type { Transaction } from 'sequelize';
import { cacheUpkeep } from '../cache/upkeep';
import { enqueueAfterCommit } from '../queue/queues';
import { revokeUserTokens } from '../records/refreshTokens';
import { evictAuthorTweets } from '../tweets/cache';
import { publishTokenVersion, revocationNotPublished } from './revocation';

/**
 * Taking an account away from everyone at once: a suspension, a deletion. The caller's
 * transaction has marked the account (so every read leaves it out) and moved its token
 * version on; these two halves do the rest, one inside that transaction, one after it.
 */

/**
 * In the marking transaction: revokes every refresh token, and queues a second pass that
 * drops the account's cached tweet records moments later (a reader that read a row before the
 * commit may put one back after the first drop, as after a change of display name).
 */
export async function withdrawInTransaction(
  userId: string,
  why: 'suspend' | 'delete',
  transaction: Transaction,
): Promise<void> {
  await revokeUserTokens(userId, transaction);
  await enqueueAfterCommit(
    transaction,
    'timeline',
    { kind: 'repair', tweetIds: [], userIds: [], authUserIds: [], tweetAuthorIds: [userId] },
    { jobId: `${why}:${userId}:${randomUUID()}` },
  );
}

/**
 * After the commit: publishes the new token version (every node refuses the old access tokens
 * and cuts the account's sockets; MySQL tells them when Redis cannot) and drops the account's
 * cached tweet records, so its tweets and retweets vanish from every list at once.
 */
export async function announceWithdrawal(userId: string, tokenVersion: number): Promise<void> {
  const published = await cacheUpkeep(() => publishTokenVersion(userId, tokenVersion), {
    authUserIds: [userId],
  });
  if (!published) await revocationNotPublished(userId);
  await cacheUpkeep(() => evictAuthorTweets(userId), { tweetAuthorIds: [userId] });
}
