/**
 * A tweet's cached record (key PREFIX.tweet): `version|retweetOf|json`, `json` being the
 * tweet's JSON text as served, up to where the viewer's flags go. For a tweet that is its
 * unchanging part, then its counters (`,"likesCount":1,"retweetsCount":0,"repliesCount":2`);
 * for a retweet entry its unchanging part alone (the counters shown are its original's). A
 * page is then rendered by joining records with the flags' constants, no field of a record
 * taken apart (scripts.ts RENDER); a counter change rewrites the record's tail
 * (writeTweetCache 'counts').
 */

/** The counters' JSON members, in the order a tweet's JSON holds them. */
const COUNT_NAMES = ['likesCount', 'retweetsCount', 'repliesCount'] as const;

/** Where a record's counters begin: no key of a tweet's unchanging part can spell it. */
export const COUNTS_START = `,"${COUNT_NAMES[0]}":`;

/** A tweet's counters as its JSON text ends with them (before the viewer's flags). */
export const countsText = (likes: number, retweets: number, replies: number): string => {
  const values = [likes, retweets, replies];
  return COUNT_NAMES.map((name, i) => `,"${name}":${values[i]}`).join('');
};

const COUNTS_TAIL = new RegExp(`${COUNT_NAMES.map((name) => `,"${name}":(\\d+)`).join('')}$`);
const HEAD = /^(\d+)\|(\d*)\|/;

/** A record taken apart (for the paths that assemble JSON in Node). */
export interface TweetRecord {
  version: number;
  retweetOf: string | null;
  /** The JSON text's unchanging part, up to the counters (or the flags, for a retweet entry). */
  prefix: string;
  likes: number;
  retweets: number;
  replies: number;
}

/** The record's text (a retweet entry's counters are not kept: its original's are shown). */
export function recordText(record: TweetRecord): string {
  const json = record.retweetOf
    ? record.prefix
    : record.prefix + countsText(record.likes, record.retweets, record.replies);
  return `${record.version}|${record.retweetOf ?? ''}|${json}`;
}

/** The id of the original a record's entry retweets, or null (a tweet, or not a record). */
export function retweetOfRecord(text: string): string | null {
  return HEAD.exec(text)?.[2] || null;
}

/** A record taken apart; null when the text is not a record of this shape. */
export function parseRecord(text: string): TweetRecord | null {
  const head = HEAD.exec(text);
  if (!head) return null;
  const json = text.slice(head[0].length);
  const version = Number(head[1]);
  if (head[2]) {
    return { version, retweetOf: head[2], prefix: json, likes: 0, retweets: 0, replies: 0 };
  }
  const counts = COUNTS_TAIL.exec(json);
  if (!counts) return null;
  return {
    version,
    retweetOf: null,
    prefix: json.slice(0, counts.index),
    likes: Number(counts[1]),
    retweets: Number(counts[2]),
    replies: Number(counts[3]),
  };
}
