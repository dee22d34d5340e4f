import { type Transaction } from 'sequelize';
import { select, execute, type ReadFrom } from '../infra/db';
import { Like } from '../../models';

/**
 * The `likes` table: every SQL statement that reads or writes it lives here. A like is a
 * (user_id, tweet_id) primary key, so a second like of the same tweet by the same user is a
 * duplicate key. An unlike goes through the `Like` model (the same single DELETE, and it
 * answers the rows it removed); the insert stays raw SQL, since `INSERT IGNORE` with its
 * affected rows is what says whether a like is new (Sequelize's `ignoreDuplicates` does not
 * tell), as does the id list read on a cache miss (no model instances) and bulk seeding.
 */

/** Ids of the tweets a viewer likes (the `liked` viewer set, on a cache miss). */
export async function likedTweetIds(viewerId: string, read: ReadFrom = {}): Promise<string[]> {
  const rows = await select<{ id: string }>(
    'SELECT tweet_id AS id FROM likes WHERE user_id = :viewerId',
    { replacements: { viewerId }, ...read },
  );
  return rows.map((row) => String(row.id));
}

/** Records a user's like of a tweet; false when they already liked it (nothing changed). */
export async function insertLike(
  userId: string,
  tweetId: string,
  transaction?: Transaction,
): Promise<boolean> {
  const result = await execute(
    'INSERT IGNORE INTO likes (user_id, tweet_id, created_at) VALUES (:userId, :tweetId, UTC_TIMESTAMP(3))',
    { replacements: { userId, tweetId }, transaction },
  );
  return result.affectedRows > 0;
}

/** Removes a user's like of a tweet; false when there was none. */
export async function deleteLike(
  userId: string,
  tweetId: string,
  transaction: Transaction,
): Promise<boolean> {
  return (await Like.destroy({ where: { userId, tweetId }, transaction })) > 0;
}

/** Columns of the tuples `insertLikesBulk` takes, in order. */
export const LIKE_BULK_COLUMNS = ['user_id', 'tweet_id', 'created_at'] as const;

/**
 * Bulk seeding: one multi-row `INSERT IGNORE` of pre-rendered SQL literal tuples (in
 * LIKE_BULK_COLUMNS order), one statement per batch instead of one ORM call per row.
 */
export async function insertLikesBulk(
  tuples: string[],
): Promise<{ affectedRows: number; insertId: string }> {
  return execute(
    `INSERT IGNORE INTO likes (${LIKE_BULK_COLUMNS.join(', ')}) VALUES ${tuples.join(',')}`,
  );
}

/** Deletes the likes of any of these tweets (a tweet's dependants, on delete). */
export async function deleteLikesOfTweets(
  tweetIds: string[],
  transaction: Transaction,
): Promise<void> {
  await Like.destroy({ where: { tweetId: tweetIds }, transaction });
}

/** Where a page of likes continues: below this like's time, then below this id. */
export interface LikeKey {
  at: Date;
  id: string;
}

/**
 * One page of likes newest first, keyset over (created_at, the other id) on the
 * (tweet_id|user_id, created_at, …) indexes: `of: 'tweet'` lists who liked a tweet,
 * `of: 'user'` what a user liked. A like made meanwhile is newer than every cursor, so pages
 * never skip or repeat. Ask for one more than a page to learn whether another follows.
 */
export async function likePage(
  of: 'tweet' | 'user',
  id: string,
  below: LikeKey | undefined,
  limit: number,
): Promise<{ at: Date; id: string }[]> {
  const [mine, theirs] = of === 'tweet' ? ['tweet_id', 'user_id'] : ['user_id', 'tweet_id'];
  const after = below
    ? `AND (created_at < :at OR (created_at = :at AND ${theirs} < :belowId))`
    : '';
  const rows = await select<{ at: Date; id: string }>(
    `SELECT created_at AS at, ${theirs} AS id FROM likes WHERE ${mine} = :id ${after}
     ORDER BY created_at DESC, ${theirs} DESC LIMIT :limit`,
    {
      // The time as text with its milliseconds (a Date replacement may lose them).
      replacements: { id, at: below && utcText(below.at), belowId: below?.id, limit },
    },
  );
  return rows.map((row) => ({ at: new Date(row.at), id: String(row.id) }));
}

/** A UTC time as DATETIME(3) text: `2026-12-02 14:33:14.123`. */
const utcText = (at: Date) => at.toISOString().replace('T', ' ').replace('Z', '');

/**
 * Account deletion: up to `limit` tweets a user likes, their likes locked for the transaction
 * that undoes them (the liked tweets' counters move down with the rows).
 */
export async function lockLikedTweetIds(
  userId: string,
  limit: number,
  transaction: Transaction,
): Promise<string[]> {
  const rows = await select<{ id: string }>(
    'SELECT tweet_id AS id FROM likes WHERE user_id = :userId ORDER BY tweet_id LIMIT :limit FOR UPDATE',
    { replacements: { userId, limit }, transaction },
  );
  return rows.map((row) => String(row.id));
}

/** Account deletion: removes a user's likes of these tweets. */
export async function deleteLikesOfUser(
  userId: string,
  tweetIds: string[],
  transaction: Transaction,
): Promise<void> {
  await Like.destroy({ where: { userId, tweetId: tweetIds }, transaction });
}
