import { QueryTypes } from 'sequelize';
import { sequelize, type ReadFrom } from '../infra/db';

/**
 * The `tweets` table: every SQL statement whose main table is `tweets` lives here (reads for
 * the cache and timelines, posts, retweet entries, counters, deletes), so services, workers
 * and seeders never hold SQL of their own.
 */

/** A tweet row with its author, as the cache and the presenters need it. */
export interface TweetRow {
  id: string;
  authorId: string;
  username: string;
  displayName: string;
  content: string;
  replyToId: string | null;
  retweetOfId: string | null;
  likesCount: number;
  retweetsCount: number;
  repliesCount: number;
  version: number;
  createdAt: Date;
}

const SELECT_TWEETS = `
  SELECT t.id, t.author_id AS authorId, u.username, u.display_name AS displayName, t.content,
         t.reply_to_id AS replyToId, t.retweet_of_id AS retweetOfId, t.likes_count AS likesCount,
         t.retweets_count AS retweetsCount, t.replies_count AS repliesCount, t.version,
         t.created_at AS createdAt
  FROM tweets t JOIN users u ON u.id = t.author_id`;

/** Rows for these ids, plus the originals of any retweets among them (one or two queries). */
export async function loadTweetRows(
  ids: string[],
  read: ReadFrom = {},
): Promise<Map<string, TweetRow>> {
  const rows = new Map<string, TweetRow>();
  let wanted = [...new Set(ids)];
  for (let round = 0; round < 2 && wanted.length > 0; round += 1) {
    const found = await sequelize.query<TweetRow>(`${SELECT_TWEETS} WHERE t.id IN (:ids)`, {
      replacements: { ids: wanted },
      type: QueryTypes.SELECT,
      ...read,
    });
    for (const row of found) rows.set(String(row.id), normalise(row));
    wanted = found
      .map((row) => row.retweetOfId)
      .filter((id): id is string => id !== null && !rows.has(String(id)))
      .map(String);
  }
  return rows;
}

/**
 * The author's follower count and a page of their entry ids (newest first, below a cursor)
 * in one round trip: null when there is no such user. The page is cut inside the derived
 * table, on the (author_id, id) index, so a prolific author costs no more than a quiet one
 * (the outer sort orders at most `limit` rows).
 */
export async function loadAuthorPage(
  authorId: string,
  below: string | undefined,
  limit: number,
): Promise<{ followers: number; ids: string[] } | null> {
  const rows = await sequelize.query<{ followers: number; id: string | null }>(
    `SELECT u.followers_count AS followers, t.id
       FROM users u
       LEFT JOIN (SELECT id, author_id FROM tweets
                   WHERE author_id = :authorId ${below ? 'AND id < :below' : ''}
                   ORDER BY id DESC LIMIT :limit) t ON t.author_id = u.id
      WHERE u.id = :authorId
      ORDER BY t.id DESC`,
    { replacements: { authorId, below, limit }, type: QueryTypes.SELECT },
  );
  if (rows.length === 0) return null;
  const ids = rows.filter((row) => row.id !== null).map((row) => String(row.id));
  return { followers: Number(rows[0].followers), ids };
}

/** Ids of the originals a viewer has retweeted (the `retweeted` viewer set, on a cache miss). */
export async function retweetedTweetIds(viewerId: string, read: ReadFrom = {}): Promise<string[]> {
  const rows = await sequelize.query<{ id: string }>(
    'SELECT retweet_of_id AS id FROM tweets WHERE author_id = :viewerId AND retweet_of_id IS NOT NULL',
    { replacements: { viewerId }, type: QueryTypes.SELECT, ...read },
  );
  return rows.map((row) => String(row.id));
}

function normalise(row: TweetRow): TweetRow {
  return {
    ...row,
    id: String(row.id),
    authorId: String(row.authorId),
    replyToId: row.replyToId === null ? null : String(row.replyToId),
    retweetOfId: row.retweetOfId === null ? null : String(row.retweetOfId),
    likesCount: Number(row.likesCount),
    retweetsCount: Number(row.retweetsCount),
    repliesCount: Number(row.repliesCount),
    version: Number(row.version),
    createdAt: new Date(row.createdAt),
  };
}
