/**
 * Every Redis key of timelines and tweet caches, in one place. Timelines are sorted sets of
 * entry ids (a tweet's or a retweet's row id) scored by that id, so ordering by score is
 * ordering by time. Built sets and timelines hold a sentinel member `0` (score 0): a key that
 * exists is complete; a missing key is rebuilt from MySQL.
 */
export const keys = {
  /** Home timeline of a user: their tweets and retweets and those of whom they follow. */
  home: (userId: string) => `tl:h:${userId}`,
  /** Ids of the celebrities a user follows (merged into the home timeline when read). */
  celebrities: (userId: string) => `tl:c:${userId}`,
  /** Recent tweets and retweets of one author. */
  author: (userId: string) => `tl:u:${userId}`,
  /** The cached parts of one tweet (hash): JSON prefix, counters, version. */
  tweet: (tweetId: string) => `tws:${tweetId}`,
  /** Tweet ids a user liked / retweeted (sets), for `liked` and `retweeted`. */
  liked: (userId: string) => `lk:${userId}`,
  retweeted: (userId: string) => `rtd:${userId}`,
} as const;

export const SENTINEL = '0';

/** How long an untouched timeline or viewer set lives before it is left to be rebuilt. */
export const TIMELINE_TTL_SECONDS = 14 * 86_400;
export const TWEET_CACHE_TTL_SECONDS = 3 * 86_400;
export const VIEWER_SET_TTL_SECONDS = 86_400;
