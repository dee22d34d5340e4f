import { QueryTypes } from 'sequelize';
import { sequelize } from '../infra/db';

/**
 * The search reads (app/search): users by name prefix and tweets by words. They read
 * `users` and `tweets`, but only through the search indexes (migration
 * 20261202000007-search-indexes), so they live together here, the one data module a
 * dedicated search engine would replace (docs/decisions/0015-search-in-mysql.md). Raw SQL:
 * Sequelize cannot say MATCH ... AGAINST or a UNION of two index ranges.
 */

/** Where a user search page continues: below this (followers count, id). */
export interface UserSearchKey {
  followers: number;
  id: string;
}

/** `%`, `_` and `\` match themselves in a LIKE pattern (backslash is MariaDB's escape). */
const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Users whose username (any case) or display name (the column's collation ignores case)
 * starts with `prefix`, most followers first, then newest id, below `below`. Each branch of
 * the UNION is a range read on its index (`users_username_key`, `users_display_name`) that
 * sorts only its own matches and keeps `limit` of them; a user matching both appears once.
 */
export async function searchUserKeys(
  prefix: string,
  below: UserSearchKey | undefined,
  limit: number,
): Promise<UserSearchKey[]> {
  const after = below
    ? 'AND (followers_count < :followers OR (followers_count = :followers AND id < :belowId))'
    : '';
  const branch = (where: string) =>
    `(SELECT id, followers_count FROM users WHERE ${where} ${after}
       ORDER BY followers_count DESC, id DESC LIMIT :limit)`;
  const rows = await sequelize.query<{ id: string; followers: number }>(
    `SELECT id, followers_count AS followers FROM (
       ${branch('username_key LIKE :keyPattern')}
       UNION
       ${branch('display_name LIKE :namePattern')}
     ) matched ORDER BY followers_count DESC, id DESC LIMIT :limit`,
    {
      replacements: {
        keyPattern: likePrefix(prefix.toLowerCase()),
        namePattern: likePrefix(prefix),
        followers: below?.followers,
        belowId: below?.id,
        limit,
      },
      type: QueryTypes.SELECT,
    },
  );
  return rows.map((row) => ({ id: String(row.id), followers: Number(row.followers) }));
}

/**
 * Ids of posts and replies (never retweet entries) holding every word of `terms` (a boolean
 * mode search string the caller built from plain words), newest first, below id `below`.
 * The FULLTEXT index `tweets_content_ft` finds the matches; only they are sorted.
 */
export async function searchTweetIds(
  terms: string,
  below: string | undefined,
  limit: number,
): Promise<string[]> {
  const rows = await sequelize.query<{ id: string }>(
    `SELECT id FROM tweets
      WHERE MATCH (content) AGAINST (:terms IN BOOLEAN MODE) AND retweet_of_id IS NULL
            ${below ? 'AND id < :below' : ''}
      ORDER BY id DESC LIMIT :limit`,
    { replacements: { terms, below, limit }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => String(row.id));
}
