import { QueryTypes } from 'sequelize';
import { sequelize, type ReadFrom } from '../infra/db';

/**
 * The `likes` table: every SQL statement that reads or writes it lives here. A like is a
 * (user_id, tweet_id) primary key, so a second like of the same tweet by the same user is a
 * duplicate key.
 */

/** Ids of the tweets a viewer likes (the `liked` viewer set, on a cache miss). */
export async function likedTweetIds(viewerId: string, read: ReadFrom = {}): Promise<string[]> {
  const rows = await sequelize.query<{ id: string }>(
    'SELECT tweet_id AS id FROM likes WHERE user_id = :viewerId',
    { replacements: { viewerId }, type: QueryTypes.SELECT, ...read },
  );
  return rows.map((row) => String(row.id));
}
