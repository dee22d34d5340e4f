import { notFound } from '../http/errors';
import { encodeTimeCursor, timeKeyOf, toPage, type TimeKey } from '../http/paging';
import { likePage } from '../records/likes';
import { loadTweetRows } from '../records/tweets';
import type { UserJson } from './schemas';
import { visibleUsersJson } from './service';

/**
 * Who liked a tweet, newest like first, presented as the follower lists present users; 404
 * for no such tweet, or one by a user blocked either way with the viewer (such users are
 * left out of the likers). An id naming a retweet entry lists its original's likes, as liking it
 * likes the original. Likes have no id of their own: the cursor is the like's (time, user id).
 */
export async function likersPage(
  viewerId: string,
  tweetId: string,
  below: TimeKey | undefined,
  limit: number,
): Promise<{ data: UserJson[]; nextCursor: string | null }> {
  // One call: loadTweetRows brings a retweet's original along.
  const rows = await loadTweetRows([tweetId]);
  const tweet = rows.get(tweetId);
  if (!tweet) throw notFound('tweet');
  const original = tweet.retweetOfId ? rows.get(tweet.retweetOfId) : tweet;
  if (!original) throw notFound('tweet');
  const likes = await likePage('tweet', original.id, below, limit + 1);
  const { data: page, nextCursor } = toPage(likes, limit, timeKeyOf, encodeTimeCursor);
  const { data, ownerBlocked } = await visibleUsersJson(
    viewerId,
    page.map((row) => row.id),
    [tweet.authorId, original.authorId],
  );
  if (ownerBlocked) throw notFound('tweet');
  return { data, nextCursor };
}
