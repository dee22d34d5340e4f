import { select } from '../infra/db';

/**
 * The search reads (app/search): users by name prefix and tweets by words. They read
 * `users` and `tweets`, but only through the search indexes (migration
 * 20261202000007-search-indexes), so they live together here, the one data module a
 * dedicated search engine would replace (docs/decisions/0015-search-in-mysql.md). Raw SQL:
 * Sequelize cannot say MATCH ... AGAINST or a UNION of two index ranges.
 */

/** A statement with its named replacements, as sent; the query-plan test EXPLAINs these. */
export interface Statement {
  sql: string;
  replacements: Record<string, unknown>;
}

/** The ids a statement selects (as column `id`), in its order. */
export async function selectIds({ sql, replacements }: Statement): Promise<string[]> {
  const rows = await select<{ id: string }>(sql, {
    replacements,
  });
  return rows.map((row) => String(row.id));
}

/** `%`, `_` and `\` match themselves in a LIKE pattern (backslash is MariaDB's escape). */
const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Users whose username (any case) or display name (the column's collation ignores case)
 * starts with `prefix`, most followers first, then newest id, the first `limit` of them. Each
 * branch of the UNION is a range read on its index (`users_username_key`,
 * `users_display_name`) that sorts only its own matches and keeps `limit` of them; a user
 * matching both appears once.
 */
export function userSearchStatement(prefix: string, limit: number): Statement {
  const branch = (where: string) =>
    `(SELECT id, followers_count FROM users WHERE ${where}
       ORDER BY followers_count DESC, id DESC LIMIT :limit)`;
  return {
    sql: `SELECT id FROM (
       ${branch('username_key LIKE :keyPattern')}
       UNION
       ${branch('display_name LIKE :namePattern')}
     ) matched ORDER BY followers_count DESC, id DESC LIMIT :limit`,
    replacements: {
      keyPattern: likePrefix(prefix.toLowerCase()),
      namePattern: likePrefix(prefix),
      limit,
    },
  };
}

/** The ids of {@link userSearchStatement}'s users, best known first. */
export const rankedUserIds = (prefix: string, limit: number): Promise<string[]> =>
  selectIds(userSearchStatement(prefix, limit));

/**
 * Posts and replies (never retweet entries) holding every word of `terms` (a boolean mode
 * search string the caller built from plain words), newest first, below id `below`. The
 * FULLTEXT index `tweets_content_ft` finds the matches; only they are sorted.
 */
export function tweetSearchStatement(
  terms: string,
  below: string | undefined,
  limit: number,
): Statement {
  return {
    sql: `SELECT id FROM tweets
      WHERE MATCH (content) AGAINST (:terms IN BOOLEAN MODE) AND retweet_of_id IS NULL
            ${below ? 'AND id < :below' : ''}
      ORDER BY id DESC LIMIT :limit`,
    replacements: { terms, below, limit },
  };
}

/** The ids of {@link tweetSearchStatement}'s tweets, newest first. */
export const searchTweetIds = (
  terms: string,
  below: string | undefined,
  limit: number,
): Promise<string[]> => selectIds(tweetSearchStatement(terms, below, limit));
