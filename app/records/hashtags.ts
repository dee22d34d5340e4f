import { QueryTypes, type Transaction } from 'sequelize';
import { execute, sequelize } from '../infra/db';

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

/**
 * The SQL of a page of a tag's tweets, newest first, below the tweet id `below`: a range of
 * the (tag, tweet_id) primary key read backwards, no sort (test/hashtags/queryPlan.test.ts).
 */
export function hashtagPageSql(below: boolean): string {
  return `SELECT tweet_id AS id FROM tweet_hashtags
           WHERE tag = :tag ${below ? 'AND tweet_id < :below' : ''}
           ORDER BY tweet_id DESC LIMIT :limit`;
}

/** Ids of a tag's tweets, newest first, below `below`; ask one more than a page. */
export async function hashtagTweetIds(
  tag: string,
  below: string | undefined,
  limit: number,
): Promise<string[]> {
  const rows = await sequelize.query<{ id: string }>(hashtagPageSql(below !== undefined), {
    replacements: { tag, below, limit },
    type: QueryTypes.SELECT,
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
