import { toPage } from '../http/paging';
import { inTransaction } from '../infra/db';
import { cacheUpkeep } from '../cache/upkeep';
import { bookmarkPage, deleteBookmark, insertBookmark } from '../records/bookmarks';
import { updateViewerSet } from './cache';
import { lockOriginal } from './counters';
import { entriesPage } from './service';

/**
 * Bookmarks: a user's private list of tweets, and the `bookmarked` flag on every tweet they
 * see. The row is written while the tweet is locked, so a bookmark cannot outlive a tweet
 * being deleted at the same moment; the viewer's cached `bm:` set follows after the commit.
 * An id naming a retweet entry bookmarks its original, as a like does.
 */

async function setBookmark(viewerId: string, id: string, on: boolean): Promise<boolean> {
  const { tweetId, changed } = await inTransaction(async (transaction) => {
    const original = await lockOriginal(id, transaction);
    const changed = on
      ? await insertBookmark(viewerId, original.id, transaction)
      : await deleteBookmark(viewerId, original.id, transaction);
    return { tweetId: original.id, changed };
  });
  if (changed) {
    await cacheUpkeep(() => updateViewerSet('bookmarked', viewerId, tweetId, on), {
      userIds: [viewerId],
    });
  }
  return on;
}

/** Bookmarks a tweet (idempotent); 404 when there is no such tweet. */
export async function bookmark(viewerId: string, id: string): Promise<{ bookmarked: true }> {
  await setBookmark(viewerId, id, true);
  return { bookmarked: true };
}

/** Takes a bookmark away (idempotent); 404 when there is no such tweet. */
export async function unbookmark(viewerId: string, id: string): Promise<{ bookmarked: false }> {
  await setBookmark(viewerId, id, false);
  return { bookmarked: false };
}

/** A page of the viewer's bookmarked tweets, newest bookmark first, as JSON text. */
export async function bookmarksPage(
  viewerId: string,
  below: string | undefined,
  limit: number,
): Promise<string | Buffer> {
  const rows = await bookmarkPage(viewerId, below, limit + 1);
  const { data, nextCursor } = toPage(rows, limit, (row) => row.bookmarkId);
  return entriesPage(
    viewerId,
    data.map((row) => row.tweetId),
    nextCursor,
  );
}
