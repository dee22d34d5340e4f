/**
 * Every Redis key of timelines, tweet caches, viewer flags and popular rankings, in one
 * place: `PREFIX` and `VIEWER_FLAGS` are the only spelling of each key prefix, used both by
 * the key functions below and by the Lua in scripts.ts. Timelines are sorted sets of entry
 * ids (a tweet's or a retweet's row id) scored by that id, so ordering by score is ordering
 * by time. Built sets and timelines hold a sentinel member `0` (score 0): a key that exists
 * is complete; a missing key is rebuilt from MySQL.
 */
export const PREFIX = {
  /** Home timeline of a user: their tweets and retweets and those of whom they follow. */
  home: 'tl:h:',
  /** Ids of the celebrities a user follows (merged into the home timeline when read). */
  celebrities: 'tl:c:',
  /** Recent tweets and retweets of one author. */
  author: 'tl:u:',
  /**
   * A tweet's cached record, its JSON text with its counters (app/cache/tweetRecord.ts). Was
   * `tw:` while the counters were kept apart, and `tws:` before the JSON gained `entities`:
   * records of an old shape are never read (they expire), so a deploy needs no flush.
   */
  tweet: 'twr:',
  /** Snapshots of user search rankings, one per first page that has a second. */
  userSearch: 'srch:u:',
  /** Popular rankings: per-hour engagement, snapshots combining 24 hours, the current one. */
  popular: 'pop:',
  /**
   * Authors a viewer must not see (they block the viewer, the viewer blocks or mutes them): a
   * set with the sentinel, read by the home timeline script, loaded from MySQL when missing.
   */
  hidden: 'hid:',
  /**
   * Users a viewer blocks or is blocked by (mutes aside): a set with the sentinel, which every
   * read but the home timeline asks (app/safety/blocked.ts), loaded from MySQL when missing.
   */
  blocked: 'blk:',
  /**
   * Trending hashtags: per tag, each author's last-use hour; per hour, tags by the authors
   * whose last use falls in it. Every trending key carries the hash tag `{trend}`, so one
   * Redis Cluster slot holds them all and one script may touch any of them.
   */
  trending: 'tr:',
  /**
   * A counter raised (and kept a minute) when one of a user's viewer sets (flags, hidden,
   * blocked) changes while it is not in Redis, and by every change whose state was read from
   * MySQL (a block refresh): a fill, or such a change, that read MySQL before it must not
   * write (viewerSets.ts). Spelled `vfc:` from when it covered the flag sets alone: kept,
   * so that nodes of both releases raise and read the same marker during a rolling deploy.
   */
  viewerSetsChanged: 'vfc:',
} as const;

/**
 * The per-viewer flags of a tweet, in the order they appear in its JSON: each is a set of
 * tweet ids per user (with the sentinel), read by the hydrate and render scripts. Adding a
 * flag is one line here plus its loader in app/tweets/cache.ts (the type demands it).
 */
export const VIEWER_FLAGS = [
  { name: 'liked', prefix: 'lk:' },
  { name: 'retweeted', prefix: 'rtd:' },
  { name: 'bookmarked', prefix: 'bm:' },
] as const;

export type ViewerFlag = (typeof VIEWER_FLAGS)[number]['name'];

/** The text around a user id in a user's key (its hash tag), for userKey and the Lua. */
export const USER_TAG = { open: '{', close: '}' } as const;

/**
 * A key of one user's: the prefix, then the user's id as the key's hash tag (`tl:h:{42}`), so
 * on a Redis Cluster everything a viewer's page reads of their own (timeline, celebrities,
 * hidden and flag sets) is in one slot and one script may read it (docs/decisions/0017).
 * The Lua that builds such keys gets this layout from USER_TAG (scripts.ts).
 */
export const userKey = (prefix: string, userId: string): string =>
  `${prefix}${USER_TAG.open}${userId}${USER_TAG.close}`;

/** One key function per viewer flag: `keys.liked(userId)`, `keys.retweeted(userId)`. */
const viewerFlagKeys = Object.fromEntries(
  VIEWER_FLAGS.map(({ name, prefix }) => [name, (userId: string) => userKey(prefix, userId)]),
) as Record<ViewerFlag, (userId: string) => string>;

/** Every popular key carries the hash tag `{pop}`: a snapshot unites the hour sets in one MULTI. */
const POPULAR_TAG = '{pop}:';

export const keys = {
  home: (userId: string) => userKey(PREFIX.home, userId),
  celebrities: (userId: string) => userKey(PREFIX.celebrities, userId),
  author: (userId: string) => userKey(PREFIX.author, userId),
  tweet: (tweetId: string) => `${PREFIX.tweet}${tweetId}`,
  hidden: (userId: string) => userKey(PREFIX.hidden, userId),
  blocked: (userId: string) => userKey(PREFIX.blocked, userId),
  /** The ranked user ids of one user search, which its later pages read. */
  userSearchSnapshot: (snapshot: string) => `${PREFIX.userSearch}${snapshot}`,
  ...viewerFlagKeys,
  /** Marks a change of one of the user's viewer sets made while that set was missing. */
  viewerSetsChanged: (userId: string) => userKey(PREFIX.viewerSetsChanged, userId),
  /** Every viewer-flag set of a user, in VIEWER_FLAGS order. */
  viewerFlags: (userId: string) => VIEWER_FLAGS.map(({ prefix }) => userKey(prefix, userId)),
  /** Engagement counted in one hour (a sorted set of tweet ids). */
  popularHour: (hour: number) => `${PREFIX.popular}${POPULAR_TAG}h:${hour}`,
  /** A snapshot of the weighted last 24 hours, which pages of popular tweets read. */
  popularSnapshot: (stamp: string) => `${PREFIX.popular}${POPULAR_TAG}s:${stamp}`,
  /** The stamp of the current snapshot. */
  popularCurrent: () => `${PREFIX.popular}${POPULAR_TAG}current`,
  /** A tag's authors, each scored by the hour of their last use of it. */
  trendingLastUse: (tag: string) => `${PREFIX.trending}{trend}:u:${tag}`,
  /** Tags scored by how many authors' last use of them falls in this hour. */
  trendingHour: (hour: number) => `${PREFIX.trending}{trend}:h:${hour}`,
  /** Every tag with a last-use set, scored by the hour it was last written. */
  trendingTags: () => `${PREFIX.trending}{trend}:tags`,
  /** Exists once the trending sets are complete; missing: rebuild them from MySQL. */
  trendingBuilt: () => `${PREFIX.trending}{trend}:built`,
  /** Held while one process rebuilds the trending sets. */
  trendingRebuilding: () => `${PREFIX.trending}{trend}:rebuilding`,
  /** A snapshot of the weighted last 24 hours of tags, and the stamp of the current one. */
  trendingSnapshot: (stamp: string) => `${PREFIX.trending}{trend}:s:${stamp}`,
  trendingCurrent: () => `${PREFIX.trending}{trend}:current`,
} as const;

export const SENTINEL = '0';

/** How long an untouched timeline or viewer set lives before it is left to be rebuilt. */
export const TIMELINE_TTL_SECONDS = 14 * 86_400;
export const TWEET_CACHE_TTL_SECONDS = 3 * 86_400;
export const VIEWER_SET_TTL_SECONDS = 86_400;
