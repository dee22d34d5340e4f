import { notFound } from '../http/errors';
import { toPage } from '../http/paging';
import { ancestorIds, replyPage } from '../records/tweets';
import { hydrateTweets } from './cache';
import { authorsOfEntry, pageBytes, pageJson } from './presenter';
import { MAX_ANCESTORS } from './schemas';
import { renderedEntries, shown, withoutBlocked } from './visibility';

/**
 * A page of a tweet's direct replies, oldest first, as JSON (text, or bytes when Redis
 * rendered it); 404 when the tweet does not exist (or was deleted), or its author and the
 * viewer are blocked either way. Replies have increasing ids, so the cursor is the last one's
 * id; replies by users blocked either way are left out, and the cursor still moves past them.
 */
export async function repliesPage(
  viewerId: string,
  tweetId: string,
  after: string | undefined,
  limit: number,
): Promise<string | Buffer> {
  const ids = await replyPage(tweetId, after, limit + 1);
  if (!ids) throw notFound('tweet');
  const { data, nextCursor } = toPage(ids, limit, (id) => id);
  const rendered = await renderedEntries(viewerId, data, tweetId);
  if (rendered === 'owner') throw notFound('tweet');
  if (rendered) return pageBytes(rendered, nextCursor);
  // The tweet comes in the same hydrate as its replies: its author is asked with theirs.
  const [root, ...replies] = await hydrateTweets(viewerId, [tweetId, ...data]);
  if (!root) throw notFound('tweet');
  const { texts, ownerBlocked } = await withoutBlocked(viewerId, replies, authorsOfEntry(root));
  if (ownerBlocked) throw notFound('tweet');
  return pageJson(shown(texts), nextCursor);
}

/**
 * `{"ancestors":[…]}`: the tweets this one replies to, root first, the nearest MAX_ANCESTORS.
 * Deleted ancestors are left out and the chain goes on above them (records/tweets.ts
 * `ancestorIds` walks through the links deleted_tweet_links keeps); so are ancestors by users
 * blocked either way with the viewer. 404 for no such tweet, or one by such a user.
 */
export async function contextJson(viewerId: string, tweetId: string): Promise<string> {
  const ids = await ancestorIds(tweetId, MAX_ANCESTORS);
  // The tweet comes in the same hydrate as its ancestors, as a reply page's root does.
  const [self, ...ancestors] = await hydrateTweets(viewerId, [tweetId, ...ids]);
  if (!self) throw notFound('tweet');
  const { texts, ownerBlocked } = await withoutBlocked(viewerId, ancestors, authorsOfEntry(self));
  if (ownerBlocked) throw notFound('tweet');
  return `{"ancestors":[${shown(texts).join(',')}]}`;
}
