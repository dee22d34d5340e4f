import { QueryTypes } from 'sequelize';
import { AppError, notFound } from '../errors';
import { execute, inTransaction, sequelize, type ReadFrom } from '../infra/db';
import { notifyInTransaction } from '../notifications/service';
import { toPage } from '../http/paging';
import { enqueueAfterCommit } from '../queue/queues';
import { isCelebrity } from '../timeline/build';
import { mergeFollow, unmergeFollow } from '../timeline/maintain';
import { cacheUpkeep } from '../cache/upkeep';
import { bumpUserCounter } from '../tweets/counters';
import { User } from '../../models';
import { presentUser, type UserFields } from './presenter';
import type { UserJson } from './schemas';

/** A user's public columns, with whether the viewer follows them when there is a viewer. */
export type ProfileRow = UserFields & { id: string };

/**
 * The profiles of `ids` (in no order; unknown ids are missing), with the viewer's follow of
 * each, in one query: profile reads are a fifth of all traffic, so they get no model
 * instances and no second round trip (test/load found them the API's largest MySQL cost).
 */
export async function loadProfiles(
  viewerId: string | null,
  ids: string[],
  read: ReadFrom = {},
): Promise<ProfileRow[]> {
  if (ids.length === 0) return [];
  const following = viewerId
    ? `, EXISTS(SELECT 1 FROM follows f WHERE f.follower_id = :viewerId AND f.followee_id = u.id)
         AS following`
    : '';
  const rows = await sequelize.query<ProfileRow>(
    `SELECT u.id, u.username, u.display_name AS displayName, u.bio, u.created_at AS createdAt,
            u.followers_count AS followersCount, u.following_count AS followingCount,
            u.tweets_count AS tweetsCount${following}
       FROM users u WHERE u.id IN (:ids)`,
    { replacements: { viewerId, ids }, type: QueryTypes.SELECT, ...read },
  );
  return rows.map((row) => ({ ...row, id: String(row.id) }));
}

/** A user as the viewer sees them (`following` when signed in). */
export async function userJson(
  viewerId: string | null,
  id: string,
  read: ReadFrom = {},
): Promise<UserJson> {
  const [profile] = await loadProfiles(viewerId, [id], read);
  if (!profile) throw notFound('user');
  return presentUser(profile);
}

/** The signed-in user, as `GET /users/me` shows them (no `following`). */
export async function viewerJson(viewerId: string): Promise<UserJson> {
  const user = await User.findByPk(viewerId);
  if (!user) throw notFound('user');
  return presentUser(user);
}

/** Follows a user (idempotent); their recent tweets join the follower's timeline. */
export async function follow(viewerId: string, targetId: string): Promise<UserJson> {
  if (viewerId === targetId)
    throw new AppError('cannot_follow_self', 'You cannot follow yourself.');
  const { changed, followers } = await inTransaction(async (transaction) => {
    // Both rows locked in id order: two users following each other at once cannot deadlock.
    const rows = await sequelize.query<{ id: string; followers: number }>(
      'SELECT id, followers_count AS followers FROM users WHERE id IN (:ids) ORDER BY id FOR UPDATE',
      { replacements: { ids: [viewerId, targetId] }, type: QueryTypes.SELECT, transaction },
    );
    const target = rows.find((row) => String(row.id) === targetId);
    if (!target) throw notFound('user');
    const result = await execute(
      `INSERT IGNORE INTO follows (follower_id, followee_id, created_at)
       VALUES (:viewerId, :targetId, UTC_TIMESTAMP(3))`,
      { replacements: { viewerId, targetId }, transaction },
    );
    if (result.affectedRows === 0) return { changed: false, followers: Number(target.followers) };
    await bumpUserCounter([viewerId], 'following_count', 1, transaction);
    await bumpUserCounter([targetId], 'followers_count', 1, transaction);
    const followers = Number(target.followers) + 1;
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
    return { changed: true, followers };
  });
  if (changed) {
    await cacheUpkeep(() => mergeFollow(viewerId, targetId, followers), { userIds: [viewerId] });
  }
  // The answer shows the change just committed: read it where it was written.
  return userJson(viewerId, targetId, { useMaster: true });
}

/** Unfollows a user (idempotent); their tweets leave the follower's timeline. */
export async function unfollow(viewerId: string, targetId: string): Promise<UserJson> {
  const changed = await inTransaction(async (transaction) => {
    const rows = await sequelize.query<{ id: string; followers: number }>(
      'SELECT id, followers_count AS followers FROM users WHERE id IN (:ids) ORDER BY id FOR UPDATE',
      { replacements: { ids: [viewerId, targetId] }, type: QueryTypes.SELECT, transaction },
    );
    const target = rows.find((row) => String(row.id) === targetId);
    if (!target) throw notFound('user');
    const result = await execute(
      'DELETE FROM follows WHERE follower_id = :viewerId AND followee_id = :targetId',
      { replacements: { viewerId, targetId }, transaction },
    );
    if (result.affectedRows === 0) return false;
    await bumpUserCounter([viewerId], 'following_count', -1, transaction);
    await bumpUserCounter([targetId], 'followers_count', -1, transaction);
    const followers = Math.max(Number(target.followers) - 1, 0);
    if (isCelebrity(followers + 1) && !isCelebrity(followers)) {
      await enqueueAfterCommit(
        transaction,
        'timeline',
        { kind: 'celebrity', userId: targetId, celebrity: false },
        {
          jobId: `celebrity:${targetId}:${Date.now()}`,
        },
      );
    }
    return true;
  });
  if (changed) await cacheUpkeep(() => unmergeFollow(viewerId, targetId), { userIds: [viewerId] });
  // The answer shows the change just committed: read it where it was written.
  return userJson(viewerId, targetId, { useMaster: true });
}

/** A page of a user's followers or followees, newest follow first. */
export async function listConnections(
  viewerId: string | null,
  userId: string,
  direction: 'followers' | 'following',
  below: string | undefined,
  limit: number,
): Promise<{ data: UserJson[]; nextCursor: string | null }> {
  if (!(await User.findByPk(userId, { attributes: ['id'] }))) throw notFound('user');
  const [mine, theirs] =
    direction === 'followers' ? ['followee_id', 'follower_id'] : ['follower_id', 'followee_id'];
  const rows = await sequelize.query<{ followId: string; userId: string }>(
    `SELECT id AS followId, ${theirs} AS userId FROM follows
     WHERE ${mine} = :userId ${below ? 'AND id < :below' : ''} ORDER BY id DESC LIMIT :limit`,
    { replacements: { userId, below, limit: limit + 1 }, type: QueryTypes.SELECT },
  );
  const { data: page, nextCursor } = toPage(rows, limit, (row) => String(row.followId));
  const ids = page.map((row) => String(row.userId));
  const profiles = new Map((await loadProfiles(viewerId, ids)).map((p) => [p.id, p]));
  const data = ids
    .map((id) => profiles.get(id))
    .filter((profile): profile is ProfileRow => profile !== undefined)
    .map((profile) => presentUser(profile));
  return { data, nextCursor };
}
