import { type Transaction } from 'sequelize';
import { select, execute } from '../infra/db';
import type { Statement } from './search';

/**
 * The `tweet_hashtags` table: one row per distinct tag of a tweet (`tag` already NFKC and
 * lowercased by app/text/entities.ts, compared byte for byte), with the tweet's author and
 * time copied in so tag reads need no join with `tweets`. Raw SQL: a multi-row
 * INSERT ... SELECT and keyset reads on the (tag, tweet_id) primary key.
 */

/** Records a new tweet's tags (each once) with its author and time, in the post's transaction. */
export async function insertTweetHashtags(
  tweetId: string,
  tags: string[],
  transaction: Transaction,
): Promise<void> {
  const distinct = [...new Set(tags)];
  if (distinct.length === 0) return;
  const replacements: Record<string, string> = { tweetId };
  const selects = distinct.map((tag, i) => {
    replacements[`tag${i}`] = tag;
    return `SELECT :tag${i} AS tag`;
  });
  await execute(
    `INSERT IGNORE INTO tweet_hashtags (tag, tweet_id, author_id, created_at)
     SELECT x.tag, t.id, t.author_id, t.created_at
       FROM tweets t JOIN (${selects.join(' UNION ALL ')}) x
      WHERE t.id = :tweetId`,
    { replacements, transaction },
  );
}

/** Columns of the tuples `insertHashtagsBulk` takes, in order. */
export const HASHTAG_BULK_COLUMNS = ['tag', 'tweet_id', 'author_id', 'created_at'] as const;

/**
 * Bulk seeding: one multi-row INSERT of pre-rendered SQL literal tuples (in
 * HASHTAG_BULK_COLUMNS order; `tag` already normalised, `created_at` the tweet's).
 */
export async function insertHashtagsBulk(
  tuples: string[],
): Promise<{ affectedRows: number; insertId: string }> {
  return execute(
    `INSERT INTO tweet_hashtags (${HASHTAG_BULK_COLUMNS.join(', ')}) VALUES ${tuples.join(',')}`,
  );
}

/**
 * A page of a tag's tweets, newest first, below the tweet id `below`: a range of the
 * (tag, tweet_id) primary key read backwards, no sort (test/search/planCases.ts checks).
 */
export function hashtagPageStatement(
  tag: string,
  below: string | undefined,
  limit: number,
): Statement {
  return {
    sql: `SELECT tweet_id AS id FROM tweet_hashtags
           WHERE tag = :tag ${below ? 'AND tweet_id < :below' : ''}
           ORDER BY tweet_id DESC LIMIT :limit`,
    replacements: { tag, below, limit },
  };
}

/** Ids of a tag's tweets, newest first, below `below`; ask one more than a page. */
export async function hashtagTweetIds(
  tag: string,
  below: string | undefined,
  limit: number,
): Promise<string[]> {
  const { sql, replacements } = hashtagPageStatement(tag, below, limit);
  const rows = await select<{ id: string }>(sql, {
    replacements,
  });
  return rows.map((row) => String(row.id));
}

/** Deletes the tags of any of these tweets (a tweet's dependants, on delete). */
export async function deleteHashtagsOfTweets(
  tweetIds: string[],
  transaction: Transaction,
): Promise<void> {
  await execute('DELETE FROM tweet_hashtags WHERE tweet_id IN (:tweetIds)', {
    replacements: { tweetIds },
    transaction,
  });
}

/** The tags of a tweet, read in its deleting transaction before its rows go. */
export async function tagsOfTweet(tweetId: string, transaction: Transaction): Promise<string[]> {
  const rows = await select<{ tag: string }>(
    'SELECT tag FROM tweet_hashtags WHERE tweet_id = :tweetId',
    { replacements: { tweetId }, transaction },
  );
  return rows.map((row) => row.tag);
}

/**
 * An author's latest use of each tag since `since` (null for a tag they did not use since):
 * a range of the (author_id, tag, created_at) index per tag.
 */
export async function lastTagUses(
  authorId: string,
  tags: string[],
  since: Date,
): Promise<Map<string, Date | null>> {
  const found = new Map<string, Date | null>(tags.map((tag) => [tag, null]));
  if (tags.length === 0) return found;
  const rows = await select<{ tag: string; at: Date }>(
    `SELECT tag, MAX(created_at) AS at FROM tweet_hashtags
      WHERE author_id = :authorId AND tag IN (:tags) AND created_at >= :since
      GROUP BY tag`,
    { replacements: { authorId, tags, since }, useMaster: true },
  );
  for (const row of rows) found.set(row.tag, new Date(row.at));
  return found;
}

/**
 * Every author's latest use of every tag since `since`, to rebuild trending from: the rows of
 * tweets from the first one posted since then on (the tweet_id index; tweet ids grow with
 * time, and `created_at` is checked too).
 */
export async function recentTagUses(
  since: Date,
): Promise<{ tag: string; authorId: string; at: Date }[]> {
  const rows = await select<{ tag: string; author_id: string; at: Date }>(
    `SELECT tag, author_id, MAX(created_at) AS at FROM tweet_hashtags
      WHERE tweet_id >= (SELECT COALESCE(MIN(id), 0) FROM tweets WHERE created_at >= :since)
        AND created_at >= :since
      GROUP BY tag, author_id`,
    { replacements: { since }, useMaster: true },
  );
  return rows.map((row) => ({
    tag: row.tag,
    authorId: String(row.author_id),
    at: new Date(row.at),
  }));
}
