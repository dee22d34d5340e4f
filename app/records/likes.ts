import { QueryTypes, type Transaction } from 'sequelize';
import { execute, sequelize, type ReadFrom } from '../infra/db';
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
  const rows = await sequelize.query<{ id: string }>(
    'SELECT tweet_id AS id FROM likes WHERE user_id = :viewerId',
    { replacements: { viewerId }, type: QueryTypes.SELECT, ...read },
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
