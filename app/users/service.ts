import { randomUUID } from 'node:crypto';
import type { Transaction } from 'sequelize';
import { AppError, notFound } from '../http/errors';
import { inTransaction, type ReadFrom } from '../infra/db';
import { notifyInTransaction } from '../records/notifications';
import { toPage } from '../http/paging';
import { enqueueAfterCommit } from '../queue/queues';
import { isCelebrity } from '../timeline/build';
import { mergeFollow, unmergeFollow } from '../timeline/maintain';
import { cacheUpkeep } from '../cache/upkeep';
import { evictAuthorTweets } from '../tweets/cache';
import { connectionPage, deleteFollow, insertFollow } from '../records/follows';
import { refuseIfBlocked } from '../safety/refusals';
import { blockedAmong } from '../safety/blocked';
import { isBlocking } from '../records/blocks';
import { presentUser } from './presenter';
import {
  findUser,
  findUserIdByUsername,
  lockUsersFollowers,
  moveFollowCounters,
  profileRows,
  updateProfile,
  userExists,
  type LockedUser,
  type ProfileChange,
  type ProfileRow,
} from '../records/users';
import type { UserJson } from './schemas';

/** Users as the viewer sees them, in the order of `ids`, without those gone meanwhile. */
export async function usersJson(viewerId: string | null, ids: string[]): Promise<UserJson[]> {
  const profiles = new Map((await profileRows(viewerId, ids)).map((p) => [String(p.id), p]));
  return ids
    .map((id) => profiles.get(id))
    .filter((profile): profile is ProfileRow => profile !== undefined)
    .map((profile) => presentUser(profile));
}

/**
 * Users as the viewer sees them, in the order of `ids`, without those gone meanwhile and
 * those blocked either way with the viewer (absent to each other in every list); `owners`
 * are asked in the same Redis round trip, for lists that answer 404 when one of them is.
 */
export async function visibleUsersJson(
  viewerId: string,
  ids: string[],
  owners: string[] = [],
): Promise<{ data: UserJson[]; ownerBlocked: boolean }> {
  const [blocked, users] = await Promise.all([
    blockedAmong(viewerId, [...owners, ...ids]),
    usersJson(viewerId, ids),
  ]);
  return {
    data: users.filter((user) => !blocked.has(user.id)),
    ownerBlocked: owners.some((id) => blocked.has(id)),
  };
}

/**
 * `GET /users/:id`: a user as the viewer sees them; 404 also when they block the viewer (as
 * for a user who does not exist). A user the viewer blocks is shown, with `blocking: true`,
 * so they can be found and unblocked; their tweets and lists stay absent. The viewer's own
 * profile is read from the primary, as `GET /users/me` is.
 */
export async function profileJson(viewerId: string, id: string): Promise<UserJson> {
  const [user, blocksViewer] = await Promise.all([
    userJson(viewerId, id, id === viewerId ? { useMaster: true } : {}),
    isBlocking(id, viewerId),
  ]);
  if (blocksViewer) throw notFound('user');
  return user;
}

/** A user as the viewer sees them (`following` when signed in). */
export async function userJson(
  viewerId: string | null,
  id: string,
  read: ReadFrom = {},
): Promise<UserJson> {
  const [profile] = await profileRows(viewerId, [id], read);
  if (!profile) throw notFound('user');
  return presentUser(profile);
}

/**
 * The signed-in user, as `GET /users/me` shows them (no `following`). Read from the primary:
 * a replica that lags would answer 404 to an account just registered, or the name before a
 * change the same user just made.
 */
export async function viewerJson(viewerId: string): Promise<UserJson> {
  const user = await findUser(viewerId, { useMaster: true });
  if (!user) throw notFound('user');
  return presentUser(user);
}

/**
 * A user named `username` (any case) as the viewer sees them, the same as by id. A name the
 * username rule refuses names nobody: 404, as an id that cannot be one is (the route's
 * params schema answers it).
 */
export async function userJsonByUsername(viewerId: string, username: string): Promise<UserJson> {
  const id = await findUserIdByUsername(username);
  if (!id) throw notFound('user');
  return profileJson(viewerId, id);
}

/**
 * Changes the viewer's display name and/or bio; answers them as `GET /users/me` does.
 *
 * Cached tweet records embed their author's display name in their JSON prefix (as `author`,
 * or `retweetedBy` in a retweet entry), and every read path (a tweet, home and author
 * timelines, notifications) assembles tweets from those records. So after a change of name,
 * once the update has committed, the records of every row the user wrote are dropped
 * (`evictAuthorTweets`: batches of 1,000 ids off the (author_id, id) index, one DEL each) and
 * refill from MySQL with the new name: the answer returns after that, so the next read shows
 * it. If Redis cannot take it, cacheUpkeep queues a repair job that drops them in a worker.
 *
 * A reader that read a row from MySQL before the commit may put it back into the cache after
 * the drop, with the old name. So the transaction also queues (through the outbox) a repair
 * job that drops the same records once more, in a worker moments later, which removes such a
 * late fill. Names change rarely, so the second pass costs little. A bio is in no cache.
 */
export async function updateOwnProfile(viewerId: string, change: ProfileChange): Promise<UserJson> {
  const updated = await inTransaction(async (transaction) => {
    const result = await updateProfile(viewerId, change, transaction);
    if (!result) throw notFound('user');
    if (result.displayNameChanged) {
      await enqueueAfterCommit(
        transaction,
        'timeline',
        {
          kind: 'repair',
          tweetIds: [],
          userIds: [],
          authUserIds: [],
          tweetAuthorIds: [viewerId],
        },
        { jobId: `profile:${viewerId}:${randomUUID()}` },
      );
    }
    return result;
  });
  if (updated.displayNameChanged) {
    await cacheUpkeep(() => evictAuthorTweets(viewerId), { tweetAuthorIds: [viewerId] });
  }
  // The answer shows the change just committed: read it where it was written.
  const user = await findUser(viewerId, { useMaster: true });
  if (!user) throw notFound('user');
  return presentUser(user);
}

/**
 * Follows a user (idempotent); their recent tweets join the follower's timeline. Answers the
 * user as the follower now sees them: their row as the transaction locked it, with the
 * change applied (the lock holds it until the commit, so that is the committed row).
 */
export async function follow(viewerId: string, targetId: string): Promise<UserJson> {
  if (viewerId === targetId)
    throw new AppError('cannot_follow_self', 'You cannot follow yourself.');
  const { changed, followers, profile } = await inTransaction(async (transaction) => {
    const target = await lockTarget(viewerId, targetId, transaction);
    const { profile } = target;
    if (!(await insertFollow(viewerId, targetId, { transaction, unlessBlocked: true }))) {
      // Nothing added: the follow existed (idempotent), or a block refuses it (403).
      await refuseIfBlocked(viewerId, targetId, transaction);
      return { changed: false, followers: target.followers, profile };
    }
    await moveFollowCounters(viewerId, targetId, 1, transaction);
    const followers = target.followers + 1;
    await notifyInTransaction(transaction, {
      type: 'follow',
      actorId: viewerId,
      recipientId: targetId,
      tweetId: null,
    });
    if (isCelebrity(followers) && !isCelebrity(followers - 1)) {
      await enqueueAfterCommit(
        transaction,
        'timeline',
        { kind: 'celebrity', userId: targetId, celebrity: true },
        {
          jobId: `celebrity:${targetId}:${Date.now()}`,
        },
      );
    }
    return { changed: true, followers, profile };
  });
  if (changed) {
    await cacheUpkeep(() => mergeFollow(viewerId, targetId, followers), { userIds: [viewerId] });
  }
  return presentUser({ ...profile, followersCount: followers, following: true });
}

/**
 * Locks the viewer's and the target's rows (lockUsersFollowers, the target's profile as the
 * viewer sees it read along); 404 when the target is not there for others.
 */
async function lockTarget(
  viewerId: string,
  targetId: string,
  transaction: Transaction,
): Promise<LockedUser & { profile: ProfileRow }> {
  const rows = await lockUsersFollowers([viewerId, targetId], transaction, viewerId);
  const target = rows.find((row) => row.id === targetId);
  // A suspended account is absent to everyone else (its follows stay for an unsuspend).
  if (!target?.profile || target.suspended) throw notFound('user');
  return { ...target, profile: target.profile };
}

/**
 * Removes a follow in a transaction that holds both users' rows locked (lockUsersFollowers):
 * each counter moves by exactly one, and a followee falling back below the celebrity
 * threshold is fanned out again. Answers whether there was a follow. Unfollow and block
 * share it.
 */
export async function removeFollow(
  followerId: string,
  followee: { id: string; followers: number },
  transaction: Transaction,
): Promise<boolean> {
  if (!(await deleteFollow(followerId, followee.id, transaction))) return false;
  await moveFollowCounters(followerId, followee.id, -1, transaction);
  const followers = Math.max(followee.followers - 1, 0);
  if (isCelebrity(followers + 1) && !isCelebrity(followers)) {
    await enqueueAfterCommit(
      transaction,
      'timeline',
      { kind: 'celebrity', userId: followee.id, celebrity: false },
      {
        jobId: `celebrity:${followee.id}:${Date.now()}`,
      },
    );
  }
  return true;
}

/** Unfollows a user (idempotent); their tweets leave the follower's timeline. */
export async function unfollow(viewerId: string, targetId: string): Promise<UserJson> {
  const { changed, target } = await inTransaction(async (transaction) => {
    const target = await lockTarget(viewerId, targetId, transaction);
    return { changed: await removeFollow(viewerId, target, transaction), target };
  });
  if (changed) await cacheUpkeep(() => unmergeFollow(viewerId, targetId), { userIds: [viewerId] });
  // As follow's: the row as locked, with the change applied (removeFollow's count).
  const followers = changed ? Math.max(target.followers - 1, 0) : target.followers;
  return presentUser({ ...target.profile, followersCount: followers, following: false });
}

/**
 * A page of who follows a user, or whom they follow, newest follow first; 404 for no such
 * user or one blocked either way with the viewer, and users so blocked are left out.
 */
export async function listConnections(
  viewerId: string,
  userId: string,
  direction: 'followers' | 'following',
  below: string | undefined,
  limit: number,
): Promise<{ data: UserJson[]; nextCursor: string | null }> {
  if (!(await userExists(userId))) throw notFound('user');
  const rows = await connectionPage(userId, direction, below, limit + 1);
  const { data: page, nextCursor } = toPage(rows, limit, (row) => row.followId);
  const { data, ownerBlocked } = await visibleUsersJson(
    viewerId,
    page.map((row) => row.userId),
    [userId],
  );
  if (ownerBlocked) throw notFound('user');
  return { data, nextCursor };
}
