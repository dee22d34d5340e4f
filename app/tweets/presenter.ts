import { VIEWER_FLAGS, type ViewerFlag } from '../cache/keys';
import { countsText } from '../cache/tweetRecord';
import type { TweetRow } from '../records/tweets';
import { resolveEntities, type MentionDirectory } from '../text/entities';

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
  /** The viewer's flags (VIEWER_FLAGS); null while not known yet. */
  flags: ViewerFlags;
}

export type ViewerFlags = Record<ViewerFlag, boolean | null>;

/** Viewer flags each set to `value(flag, its index in VIEWER_FLAGS)`. */
export const viewerFlags = (
  value: (flag: ViewerFlag, index: number) => boolean | null,
): ViewerFlags =>
  Object.fromEntries(VIEWER_FLAGS.map(({ name }, f) => [name, value(name, f)])) as ViewerFlags;

/** Each flag with its JSON member's text up to the value, e.g. `,"liked":`. */
const FLAG_MEMBERS = VIEWER_FLAGS.map(({ name }) => [name, `,${JSON.stringify(name)}:`] as const);

const authorOf = (row: TweetRow) => ({
  id: row.authorId,
  username: row.username,
  displayName: row.displayName,
});

/**
 * The unchanging prefix of a tweet's (or retweet entry's) JSON. A tweet's `entities` are in
 * it, their mentions resolved through `directory` (the accounts of the names its content
 * mentions), so the cached record serves them with no work per read. The author comes first
 * (`author`, or `retweetedBy` after `type`): the home timeline script and authorsOfEntry read
 * it there to skip blocked and muted users.
 */
export function prefixOf(row: TweetRow, directory: MentionDirectory): string {
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
        entities: resolveEntities(row.content, directory),
      };
  return JSON.stringify(object).slice(0, -1);
}

const TWEET_AUTHOR = /^\{"id":"\d+","author":\{"id":"(\d+)"/;
const RETWEET_AUTHORS =
  /^\{"id":"\d+","type":"retweet","retweetedBy":\{"id":"(\d+)".*?,"tweet":\{"id":"\d+","author":\{"id":"(\d+)"/;

/**
 * Who wrote an entry, from its JSON text: a tweet's author, or a retweet entry's retweeter
 * and its original's author (for filtering blocked and muted users on the paths that
 * assemble texts in Node). Reads the start of the text, which prefixOf fixes; quotes inside
 * strings are escaped, so no content can imitate it.
 */
export function authorsOfEntry(text: string): string[] {
  const retweet = RETWEET_AUTHORS.exec(text);
  if (retweet) return [retweet[1], retweet[2]];
  const tweet = TWEET_AUTHOR.exec(text);
  return tweet ? [tweet[1]] : [];
}

/** A tweet's JSON text, or a retweet entry's with its original inside; null if unavailable. */
export function assembleTweet(pieces: TweetPieces, byId: Map<string, TweetPieces>): string | null {
  if (pieces.retweetOf) {
    const original = byId.get(pieces.retweetOf);
    if (!original || original.retweetOf) return null;
    const inner = assembleTweet(original, byId);
    return inner === null ? null : `${pieces.prefix},"tweet":${inner}}`;
  }
  let text = pieces.prefix + countsText(pieces.likes, pieces.retweets, pieces.replies);
  for (const [flag, member] of FLAG_MEMBERS) text += `${member}${pieces.flags[flag] === true}`;
  return `${text}}`;
}

/** What follows a page's items: `],"nextCursor":…}`. */
const pageTail = (nextCursor: string | null) =>
  `],"nextCursor":${nextCursor === null ? 'null' : JSON.stringify(nextCursor)}}`;

/** `{"data":[…],"nextCursor":…}` from already serialised items (or their joined text). */
export function pageJson(items: string[] | string, nextCursor: string | null): string {
  const data = typeof items === 'string' ? items : items.join(',');
  return `{"data":[${data}${pageTail(nextCursor)}`;
}

const PAGE_HEAD = Buffer.from('{"data":[');

/**
 * pageJson of items joined as UTF-8 bytes (as Redis answered them): the page is sent as those
 * bytes, never decoded into a string to be encoded again on the way out.
 */
export function pageBytes(items: Buffer, nextCursor: string | null): Buffer {
  return Buffer.concat([PAGE_HEAD, items, Buffer.from(pageTail(nextCursor))]);
}
