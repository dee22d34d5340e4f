import type { TweetRow } from './records';

/**
 * Tweets are sent as JSON assembled from cached pieces: the part that never changes (id,
 * author, content, dates) is serialised once and kept in Redis as a prefix; counters and the
 * viewer's flags are appended per answer. This keeps the hot timeline read free of
 * JSON.stringify over whole objects.
 */
export interface TweetPieces {
  id: string;
  /** The JSON object's text up to, not including, its closing brace. */
  prefix: string;
  likes: number;
  retweets: number;
  replies: number;
  /** Set on retweet entries: the id of the original tweet. */
  retweetOf: string | null;
  liked: boolean | null;
  retweeted: boolean | null;
}

const authorOf = (row: TweetRow) => ({
  id: row.authorId,
  username: row.username,
  displayName: row.displayName,
});

/** The unchanging prefix of a tweet's (or retweet entry's) JSON. */
export function prefixOf(row: TweetRow): string {
  const object = row.retweetOfId
    ? {
        id: row.id,
        type: 'retweet',
        retweetedBy: authorOf(row),
        createdAt: row.createdAt.toISOString(),
      }
    : {
        id: row.id,
        author: authorOf(row),
        content: row.content,
        createdAt: row.createdAt.toISOString(),
        replyToId: row.replyToId,
      };
  return JSON.stringify(object).slice(0, -1);
}

/** A tweet's JSON text, or a retweet entry's with its original inside; null if unavailable. */
export function assembleTweet(pieces: TweetPieces, byId: Map<string, TweetPieces>): string | null {
  if (pieces.retweetOf) {
    const original = byId.get(pieces.retweetOf);
    if (!original || original.retweetOf) return null;
    const inner = assembleTweet(original, byId);
    return inner === null ? null : `${pieces.prefix},"tweet":${inner}}`;
  }
  return (
    `${pieces.prefix},"likesCount":${pieces.likes},"retweetsCount":${pieces.retweets},` +
    `"repliesCount":${pieces.replies},"liked":${pieces.liked === true},` +
    `"retweeted":${pieces.retweeted === true}}`
  );
}

/** `{"data":[…],"nextCursor":…}` from already serialised items (or their joined text). */
export function pageJson(items: string[] | string, nextCursor: string | null): string {
  const data = typeof items === 'string' ? items : items.join(',');
  return `{"data":[${data}],"nextCursor":${nextCursor === null ? 'null' : JSON.stringify(nextCursor)}}`;
}
