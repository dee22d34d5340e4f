import { type Transaction } from 'sequelize';
import { select, execute, type ReadFrom } from '../infra/db';
import { blockedEitherWaySql } from './blocks';

/**
 * The `follows` table: every SQL statement that reads or writes it lives here, joins whose
 * rows are follows included (a followee's follower count comes along from `users`). Raw SQL
 * throughout: INSERT IGNORE makes a follow idempotent in one statement, and the reads are
 * the hot paths of fan-out and timeline rebuilds (ids only, no model instances). The model
 * `Follow` was never queried and is gone.
 */

/**
 * Adds a follow; answers whether it is new (false: it already existed). With `unlessBlocked`,
 * not when either user blocks the other, read by the same statement (a locking read of
 * `blocks`, as the notification's INSERT ... SELECT does): a follow request makes one round
 * trip fewer, and tells "existed" from "blocked" (refuseIfBlocked) on that rare path only.
 */
export async function insertFollow(
  followerId: string,
  followeeId: string,
  {
    transaction,
    unlessBlocked = false,
  }: { transaction?: Transaction; unlessBlocked?: boolean } = {},
): Promise<boolean> {
  const unblocked = unlessBlocked
    ? `WHERE NOT ${blockedEitherWaySql(':followerId', ':followeeId')}`
    : '';
  const result = await execute(
    `INSERT IGNORE INTO follows (follower_id, followee_id, created_at)
     SELECT :followerId, :followeeId, UTC_TIMESTAMP(3) FROM DUAL ${unblocked}`,
    { replacements: { followerId, followeeId }, transaction },
  );
  return result.affectedRows > 0;
}

/** Removes a follow; answers whether there was one. */
export async function deleteFollow(
  followerId: string,
  followeeId: string,
  transaction: Transaction,
): Promise<boolean> {
  const result = await execute(
    'DELETE FROM follows WHERE follower_id = :followerId AND followee_id = :followeeId',
    { replacements: { followerId, followeeId }, transaction },
  );
  return result.affectedRows > 0;
}

/** Whether a user follows another (read in `transaction` when given). */
export async function followExists(
  followerId: string,
  followeeId: string,
  transaction?: Transaction,
): Promise<boolean> {
  const rows = await select(
    'SELECT 1 FROM follows WHERE follower_id = :followerId AND followee_id = :followeeId',
    { replacements: { followerId, followeeId }, transaction },
  );
  return rows.length > 0;
}

/**
 * A page of one user's follows, newest first, below the follow id `below`: `followers` are
 * the users following them, `following` the users they follow. Ask for one more than a page
 * to learn whether another follows.
 */
export async function connectionPage(
  userId: string,
  direction: 'followers' | 'following',
  below: string | undefined,
  limit: number,
): Promise<{ followId: string; userId: string }[]> {
  const [mine, theirs] =
    direction === 'followers' ? ['followee_id', 'follower_id'] : ['follower_id', 'followee_id'];
  const rows = await select<{ followId: string; userId: string }>(
    `SELECT id AS followId, ${theirs} AS userId FROM follows
     WHERE ${mine} = :userId ${below ? 'AND id < :below' : ''} ORDER BY id DESC LIMIT :limit`,
    { replacements: { userId, below, limit } },
  );
  return rows.map((row) => ({ followId: String(row.followId), userId: String(row.userId) }));
}

/** Whom a user follows, with each followee's follower count. */
export async function followeesWithFollowers(
  userId: string,
  read: ReadFrom = {},
): Promise<{ id: string; followers: number }[]> {
  const rows = await select<{ id: string; followers: number }>(
    `SELECT f.followee_id AS id, u.followers_count AS followers
     FROM follows f JOIN users u ON u.id = f.followee_id WHERE f.follower_id = :userId`,
    { replacements: { userId }, ...read },
  );
  return rows.map((row) => ({ id: String(row.id), followers: Number(row.followers) }));
}

/**
 * Up to `limit` followers of a user after the follow id `after` (keyset paging over
 * follows.id), with the follow id to continue from.
 */
export async function followerPage(
  userId: string,
  after: string,
  limit: number,
  read: ReadFrom = {},
): Promise<{ id: string; followerId: string }[]> {
  const rows = await select<{ id: string; followerId: string }>(
    `SELECT id, follower_id AS followerId FROM follows
     WHERE followee_id = :userId AND id > :after ORDER BY id LIMIT :limit`,
    { replacements: { userId, after, limit }, ...read },
  );
  return rows.map((row) => ({ id: String(row.id), followerId: String(row.followerId) }));
}

/** Which of `ids` follow the user. */
export async function followersAmong(
  userId: string,
  ids: string[],
  read: ReadFrom = {},
): Promise<string[]> {
  const rows = await select<{ id: string }>(
    'SELECT follower_id AS id FROM follows WHERE followee_id = :userId AND follower_id IN (:ids)',
    { replacements: { userId, ids }, ...read },
  );
  return rows.map((row) => String(row.id));
}

/** Everyone following any of `userIds` (each once). */
export async function followersOfAny(userIds: string[]): Promise<string[]> {
  const rows = await select<{ id: string }>(
    'SELECT DISTINCT follower_id AS id FROM follows WHERE followee_id IN (:userIds)',
    { replacements: { userIds } },
  );
  return rows.map((row) => String(row.id));
}

/** Columns of the tuples `insertFollowsBulk` takes, in order. */
export const FOLLOW_BULK_COLUMNS = ['follower_id', 'followee_id', 'created_at'] as const;

/**
 * Bulk seeding: one multi-row `INSERT IGNORE` of pre-rendered SQL literal tuples (in
 * FOLLOW_BULK_COLUMNS order), one statement per batch instead of one ORM call per row.
 */
export async function insertFollowsBulk(
  tuples: string[],
): Promise<{ affectedRows: number; insertId: string }> {
  return execute(
    `INSERT IGNORE INTO follows (${FOLLOW_BULK_COLUMNS.join(', ')}) VALUES ${tuples.join(',')}`,
  );
}
