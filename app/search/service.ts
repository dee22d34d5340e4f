import { createHash, randomBytes } from 'node:crypto';
import { keys } from '../cache/keys';
import { snapshotPage, storeSnapshot } from '../cache/snapshots';
import { cursorRefused, toPage, toSnapshotPage, type SnapshotPosition } from '../http/paging';
import { rankedUserIds, searchTweetIds } from '../records/search';
import { pageJson } from '../tweets/presenter';
import { entriesPage } from '../tweets/service';
import type { UserJson } from '../users/schemas';
import { visibleUsersJson } from '../users/service';
import { userSearchCursor } from './schemas';

/**
 * Search, behind this one module: routes call these two functions and know nothing of how
 * matches are found, so a dedicated engine can replace the MySQL indexes they read today
 * (docs/decisions/0015-search-in-mysql.md).
 */

/** How many matches of a user search are ranked, and so can be paged through: the first 1,000. */
export const USER_SEARCH_CAP = 1000;

/**
 * A snapshot's id begins with a digest of its q, so a cursor given with another q is told
 * apart from an expired one; the rest is random, so two searches never share a snapshot.
 */
const digestOf = (q: string) => createHash('sha256').update(q).digest('base64url').slice(0, 11);
const newSnapshotId = (q: string) => `${digestOf(q)}${randomBytes(8).toString('base64url')}`;

/**
 * Users whose username or display name starts with `q` (any case), most followers first,
 * then newest: the first USER_SEARCH_CAP of them, ranked when the first page is read. When
 * there is a second page, the ranking is kept as a snapshot (app/cache/snapshots.ts) that
 * later pages read by offset, so follower counts changing meanwhile (or users signing up)
 * never make a page skip or repeat a user. A cursor is refused (400) once its snapshot
 * expired, or when given with another `q`.
 */
export async function searchUsers(
  viewerId: string,
  q: string,
  cursor: SnapshotPosition | undefined,
  limit: number,
): Promise<{ data: UserJson[]; nextCursor: string | null }> {
  const { data, nextCursor } = cursor
    ? await laterUserPage(q, cursor, limit)
    : await firstUserPage(q, limit);
  // Users blocked either way with the viewer are left out (the page may come up short).
  return { data: (await visibleUsersJson(viewerId, data)).data, nextCursor };
}

async function firstUserPage(q: string, limit: number) {
  const ids = await rankedUserIds(q, USER_SEARCH_CAP);
  const at = { snapshot: newSnapshotId(q), offset: 0 };
  if (ids.length > limit) await storeSnapshot(keys.userSearchSnapshot(at.snapshot), ids);
  return toSnapshotPage(ids.slice(0, limit + 1), at, limit, userSearchCursor.encode);
}

async function laterUserPage(q: string, at: SnapshotPosition, limit: number) {
  if (!at.snapshot.startsWith(digestOf(q))) {
    throw cursorRefused('belongs to a search for another q; start again without a cursor');
  }
  const ids = await snapshotPage(keys.userSearchSnapshot(at.snapshot), at.offset, limit + 1);
  return toSnapshotPage(ids, at, limit, userSearchCursor.encode);
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
): Promise<string | Buffer> {
  const terms = booleanTerms(q);
  if (terms === null) return pageJson([], null);
  const ids = await searchTweetIds(terms, below, limit + 1);
  const { data, nextCursor } = toPage(ids, limit, (id) => id);
  return entriesPage(viewerId, data, nextCursor);
}
