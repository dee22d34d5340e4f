import { type Transaction } from 'sequelize';
import { select, execute, type ReadFrom } from '../infra/db';

/**
 * The `bookmarks` table: every SQL statement that reads or writes it lives here. A bookmark
 * row has its own id, which orders a user's list (newest first) for keyset paging; the
 * (user_id, tweet_id) pair is unique, so `INSERT IGNORE` tells whether a bookmark is new.
 * Raw SQL throughout: no model instances are needed, and the insert's affected rows matter.
 */

/** Ids of the tweets a viewer bookmarked (the `bookmarked` viewer set, on a cache miss). */
export async function bookmarkedTweetIds(viewerId: string, read: ReadFrom = {}): Promise<string[]> {
  const rows = await select<{ id: string }>(
    'SELECT tweet_id AS id FROM bookmarks WHERE user_id = :viewerId',
    { replacements: { viewerId }, ...read },
  );
  return rows.map((row) => String(row.id));
}

/** Records a user's bookmark of a tweet; false when it was already bookmarked. */
export async function insertBookmark(
  userId: string,
  tweetId: string,
  transaction?: Transaction,
): Promise<boolean> {
  const result = await execute(
    'INSERT IGNORE INTO bookmarks (user_id, tweet_id, created_at) VALUES (:userId, :tweetId, UTC_TIMESTAMP(3))',
    { replacements: { userId, tweetId }, transaction },
  );
  return result.affectedRows > 0;
}

/** Removes a user's bookmark of a tweet; false when there was none. */
export async function deleteBookmark(
  userId: string,
  tweetId: string,
  transaction?: Transaction,
): Promise<boolean> {
  const result = await execute(
    'DELETE FROM bookmarks WHERE user_id = :userId AND tweet_id = :tweetId',
    { replacements: { userId, tweetId }, transaction },
  );
  return result.affectedRows > 0;
}

/**
 * A page of a user's bookmarks, newest first, below the bookmark id `below` (on the
 * (user_id, id) index). Ask for one more than a page to learn whether another follows.
 */
export async function bookmarkPage(
  userId: string,
  below: string | undefined,
  limit: number,
): Promise<{ bookmarkId: string; tweetId: string }[]> {
  const rows = await select<{ bookmarkId: string; tweetId: string }>(
    `SELECT id AS bookmarkId, tweet_id AS tweetId FROM bookmarks
     WHERE user_id = :userId ${below ? 'AND id < :below' : ''} ORDER BY id DESC LIMIT :limit`,
    { replacements: { userId, below, limit } },
  );
  return rows.map((row) => ({ bookmarkId: String(row.bookmarkId), tweetId: String(row.tweetId) }));
}

/** Deletes the bookmarks of any of these tweets (a tweet's dependants, on delete). */
export async function deleteBookmarksOfTweets(
  tweetIds: string[],
  transaction: Transaction,
): Promise<void> {
  await execute('DELETE FROM bookmarks WHERE tweet_id IN (:tweetIds)', {
    replacements: { tweetIds },
    transaction,
  });
}

/** Account deletion: removes up to `limit` of a user's bookmarks; answers how many went. */
export async function deleteBookmarksOfUser(
  userId: string,
  limit: number,
  transaction: Transaction,
): Promise<number> {
  const result = await execute(
    'DELETE FROM bookmarks WHERE user_id = :userId ORDER BY id LIMIT :limit',
    { replacements: { userId, limit }, transaction },
  );
  return result.affectedRows;
}
