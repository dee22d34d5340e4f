import { type Transaction } from 'sequelize';
import { select, execute, type ReadFrom } from '../infra/db';

/**
 * The `tweet_mentions` table: the accounts a tweet mentioned when it was posted, one row per
 * (tweet, account). A tweet's `entities.mentions` come from these rows, never from whoever
 * holds a name now, so `@later` written before `later` registered stays plain text. Raw SQL:
 * multi-row inserts and a join with `users` for the names, no model instances needed.
 */

/** An account a tweet mentions, as the tweet cache needs it. */
export interface StoredMention {
  tweetId: string;
  userId: string;
  username: string;
}

/** Records the accounts a new tweet mentions (each once), in the post's transaction. */
export async function insertTweetMentions(
  tweetId: string,
  userIds: string[],
  transaction: Transaction,
): Promise<void> {
  const distinct = [...new Set(userIds)];
  if (distinct.length === 0) return;
  await execute('INSERT IGNORE INTO tweet_mentions (tweet_id, user_id) VALUES :rows', {
    replacements: { rows: distinct.map((userId) => [tweetId, userId]) },
    transaction,
  });
}

/** Columns of the tuples `insertTweetMentionsBulk` takes, in order. */
export const TWEET_MENTION_BULK_COLUMNS = ['tweet_id', 'user_id'] as const;

/**
 * Bulk seeding: one multi-row INSERT of pre-rendered SQL literal tuples (in
 * TWEET_MENTION_BULK_COLUMNS order), one statement per batch instead of one per tweet.
 */
export async function insertTweetMentionsBulk(
  tuples: string[],
): Promise<{ affectedRows: number; insertId: string }> {
  return execute(
    `INSERT INTO tweet_mentions (${TWEET_MENTION_BULK_COLUMNS.join(', ')}) VALUES ${tuples.join(',')}`,
  );
}

/** The stored mentions of these tweets, with each account's username (one query). */
export async function mentionsOfTweets(
  tweetIds: string[],
  read: ReadFrom = {},
): Promise<StoredMention[]> {
  if (tweetIds.length === 0) return [];
  const rows = await select<StoredMention>(
    `SELECT m.tweet_id AS tweetId, m.user_id AS userId, u.username
       FROM tweet_mentions m JOIN users u ON u.id = m.user_id
      WHERE m.tweet_id IN (:tweetIds)`,
    { replacements: { tweetIds }, ...read },
  );
  return rows.map((row) => ({
    tweetId: String(row.tweetId),
    userId: String(row.userId),
    username: row.username,
  }));
}

/** Deletes the mentions of any of these tweets (a tweet's dependants, on delete). */
export async function deleteMentionsOfTweets(
  tweetIds: string[],
  transaction: Transaction,
): Promise<void> {
  await execute('DELETE FROM tweet_mentions WHERE tweet_id IN (:tweetIds)', {
    replacements: { tweetIds },
    transaction,
  });
}

/**
 * Account deletion: removes up to `limit` mentions naming the user; answers the tweets that
 * named them (their cached records show the mention, so they are dropped after commit).
 */
export async function deleteMentionsOfUser(
  userId: string,
  limit: number,
  transaction: Transaction,
): Promise<string[]> {
  const rows = await select<{ id: string }>(
    'SELECT tweet_id AS id FROM tweet_mentions WHERE user_id = :userId LIMIT :limit FOR UPDATE',
    { replacements: { userId, limit }, transaction },
  );
  const tweetIds = rows.map((row) => String(row.id));
  if (tweetIds.length > 0) {
    await execute(
      'DELETE FROM tweet_mentions WHERE user_id = :userId AND tweet_id IN (:tweetIds)',
      {
        replacements: { userId, tweetIds },
        transaction,
      },
    );
  }
  return tweetIds;
}
