import { notFound } from '../http/errors';
import { toPage } from '../http/paging';
import { ancestorIds, replyPage } from '../records/tweets';
import { pageJson } from './presenter';
import { MAX_ANCESTORS } from './schemas';
import { entryTexts } from './service';

/**
 * A page of a tweet's direct replies, oldest first, as JSON text; 404 when the tweet does not
 * exist (or was deleted). Replies have increasing ids, so the cursor is the last one's id.
 */
export async function repliesPage(
  viewerId: string,
  tweetId: string,
  after: string | undefined,
  limit: number,
): Promise<string> {
  const ids = await replyPage(tweetId, after, limit + 1);
  if (!ids) throw notFound('tweet');
  const { data, nextCursor } = toPage(ids, limit, (id) => id);
  return pageJson(await entryTexts(viewerId, data), nextCursor);
}

/**
 * `{"ancestors":[…]}`: the tweets this one replies to, root first, the nearest MAX_ANCESTORS.
 * Deleted ancestors are left out and the chain goes on above them (records/tweets.ts
 * `ancestorIds` walks through the links deleted_tweet_links keeps). 404 for no such tweet.
 */
export async function contextJson(viewerId: string, tweetId: string): Promise<string> {
  const [ids, [self]] = await Promise.all([
    ancestorIds(tweetId, MAX_ANCESTORS),
    entryTexts(viewerId, [tweetId]),
  ]);
  if (!self) throw notFound('tweet');
  return `{"ancestors":[${(await entryTexts(viewerId, ids)).join(',')}]}`;
}
