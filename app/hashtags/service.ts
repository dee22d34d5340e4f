import { toPage } from '../http/paging';
import { hashtagTweetIds } from '../records/hashtags';
import { entriesPage } from '../tweets/service';

/**
 * A page of the tweets using `tag` (already normalised), newest first, as JSON text for the
 * viewer. Paged by tweet id on the (tag, tweet_id) key, so nothing is skipped or repeated; a
 * deleted tweet's row goes with it (TWEET_DEPENDANTS), and one deleted between the read and
 * the hydrate is left out of the page.
 */
export async function hashtagTweetsPage(
  viewerId: string,
  tag: string,
  below: string | undefined,
  limit: number,
): Promise<string | Buffer> {
  const ids = await hashtagTweetIds(tag, below, limit + 1);
  const { data, nextCursor } = toPage(ids, limit, (id) => id);
  return entriesPage(viewerId, data, nextCursor);
}
