import { notFound } from '../http/errors';
import { encodeTimeCursor, timeKeyOf, toPage, type TimeKey } from '../http/paging';
import { likePage } from '../records/likes';
import { loadTweetRows } from '../records/tweets';
import type { UserJson } from './schemas';
import { usersJson } from './service';

/**
 * Who liked a tweet, newest like first, presented as the follower lists present users; 404
 * for no such tweet. An id naming a retweet entry lists its original's likes, as liking it
 * likes the original. Likes have no id of their own: the cursor is the like's (time, user id).
 */
export async function likersPage(
  viewerId: string,
  tweetId: string,
  below: TimeKey | undefined,
  limit: number,
): Promise<{ data: UserJson[]; nextCursor: string | null }> {
  const tweet = (await loadTweetRows([tweetId])).get(tweetId);
  if (!tweet) throw notFound('tweet');
  const rows = await likePage('tweet', tweet.retweetOfId ?? tweet.id, below, limit + 1);
  const { data: page, nextCursor } = toPage(rows, limit, timeKeyOf, encodeTimeCursor);
  const data = await usersJson(
    viewerId,
    page.map((row) => row.id),
  );
  return { data, nextCursor };
}
