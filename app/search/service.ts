import { toPage } from '../http/paging';
import { searchTweetIds, searchUserKeys, type UserSearchKey } from '../records/search';
import { pageJson } from '../tweets/presenter';
import { entryTexts } from '../tweets/service';
import type { UserJson } from '../users/schemas';
import { usersJson } from '../users/service';
import { encodeUserSearchCursor, userSearchKeyOf } from './schemas';

/**
 * Search, behind this one module: routes call these two functions and know nothing of how
 * matches are found, so a dedicated engine can replace the MySQL indexes they read today
 * (docs/decisions/0015-search-in-mysql.md).
 */

/**
 * Users whose username or display name starts with `q` (any case), most followers first,
 * then newest. Paging is keyset on (followers count DESC, id DESC), snapshot-free: a page
 * continues strictly below the last (count, id) it showed, so with counts unchanged nothing
 * is skipped or repeated, and users who sign up meanwhile never shift a page. A user whose
 * follower count changes while someone pages may move across the cut: the ranking is live,
 * as every search ranking on a changing count is (the decision record says why no snapshot).
 */
export async function searchUsers(
  viewerId: string,
  q: string,
  below: UserSearchKey | undefined,
  limit: number,
): Promise<{ data: UserJson[]; nextCursor: string | null }> {
  const keys = await searchUserKeys(q, below, limit + 1);
  const { data: page, nextCursor } = toPage(keys, limit, userSearchKeyOf, encodeUserSearchCursor);
  const data = await usersJson(
    viewerId,
    page.map((key) => key.id),
  );
  return { data, nextCursor };
}

/**
 * MariaDB's default InnoDB stopwords (information_schema.INNODB_FT_DEFAULT_STOPWORD): the
 * index holds none of them, so a required one would make every search empty; they are dropped.
 */
const STOPWORDS = new Set(
  'a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und www'.split(
    ' ',
  ),
);

/** innodb_ft_min_token_size (default 3): shorter words are not in the index. */
const MIN_WORD = 3;
const MAX_WORDS = 10;

/**
 * The boolean mode search string for `q`: each word it holds, required (`+word`). Words are
 * runs of letters, digits and `_`, so no operator of the user's (`+ - < > ( ) ~ * " @`) gets
 * through. Null when no word is long enough to be indexed or all are stopwords.
 */
export function booleanTerms(q: string): string | null {
  const words = [...new Set(q.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])]
    .filter((word) => [...word].length >= MIN_WORD && !STOPWORDS.has(word))
    .slice(0, MAX_WORDS);
  return words.length === 0 ? null : words.map((word) => `+${word}`).join(' ');
}

/**
 * Posts and replies (not retweet entries) holding every word of `q`, newest first, as JSON
 * text for the viewer. A `q` with no indexable word (one or two letters, only stopwords)
 * answers an empty page.
 */
export async function searchTweets(
  viewerId: string,
  q: string,
  below: string | undefined,
  limit: number,
): Promise<string> {
  const terms = booleanTerms(q);
  if (terms === null) return pageJson([], null);
  const ids = await searchTweetIds(terms, below, limit + 1);
  const { data, nextCursor } = toPage(ids, limit, (id) => id);
  return pageJson(await entryTexts(viewerId, data), nextCursor);
}
