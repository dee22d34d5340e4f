import type { RowDataPacket } from 'mysql2/promise';
import { type Account, type Load, sleep, type World } from './load';
import type { ChaosStack } from './stack';

/** How long acknowledged writes get to show everywhere after the fault is lifted. */
const SETTLE_DEADLINE_MS = 90_000;
/** A tweet:new pushed within this long of its acknowledgement counts as on time. */
const PUSH_GRACE_MS = 5000;

export interface Findings {
  writesAcked: number;
  /** Acknowledged writes (tweets, likes, follows) missing from MySQL. */
  lostInMysql: number;
  /** (member, acknowledged tweet) pairs missing from the member's home timeline. */
  lostInTimelines: number;
  timelineDuplicates: number;
  /** Notifications an acknowledged like, reply or follow should have made, missing. */
  lostNotifications: number;
  notificationDuplicates: number;
  /** Stored counters that differ from COUNT(*), and API counters that differ from it. */
  counterMismatches: number;
  apiCounterMismatches: number;
  socketExpected: number;
  socketMissed: number;
  /** What was lost, named, for the report (first few). */
  details: string[];
}

/** Polls `measure` until `done` accepts it or the deadline passes; answers the last measure. */
async function settle<T>(measure: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + SETTLE_DEADLINE_MS;
  for (;;) {
    const value = await measure();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(1000);
  }
}

/** Every item of a paged list (`{data, nextCursor}`), or what could be read of it. */
async function readAll(world: World, path: string, account: Account): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const separator = path.includes('?') ? '&' : '?';
    const url = cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path;
    const answer = await world.client.call('GET', url, {
      token: account.accessToken,
      count: false,
    });
    if (answer.status !== 200) throw new Error(`GET ${url} answered ${answer.status}`);
    items.push(...(answer.body.data as unknown[]));
    cursor = answer.body.nextCursor as string | null;
    if (!cursor) break;
  }
  return items;
}

function duplicatesOf(keys: string[]): number {
  return keys.length - new Set(keys).size;
}

async function lostInMysql(stack: ChaosStack, load: Load, details: string[]): Promise<number> {
  const db = await stack.sql();
  const { tweets, likes, follows } = load.acked;
  let lost = 0;
  if (tweets.length > 0) {
    const [rows] = await db.query<RowDataPacket[]>('SELECT id FROM tweets WHERE id IN (?)', [
      tweets.map((t) => t.id),
    ]);
    const found = new Set(rows.map((row) => String(row.id)));
    const missing = tweets.filter((t) => !found.has(t.id));
    lost += missing.length;
    if (missing.length)
      details.push(`tweets missing in MySQL: ${missing.map((t) => t.id).join(',')}`);
  }
  for (const like of likes) {
    const [rows] = await db.query<RowDataPacket[]>(
      'SELECT 1 FROM likes WHERE user_id = ? AND tweet_id = ?',
      [like.userId, like.tweetId],
    );
    if (rows.length === 0)
      ((lost += 1), details.push(`like ${like.userId}→${like.tweetId} missing`));
  }
  for (const follow of follows) {
    const [rows] = await db.query<RowDataPacket[]>(
      'SELECT 1 FROM follows WHERE follower_id = ? AND followee_id = ?',
      [follow.followerId, follow.followeeId],
    );
    if (rows.length === 0)
      ((lost += 1), details.push(`follow ${follow.followerId}→${follow.followeeId} missing`));
  }
  return lost;
}

/** Reads every member's whole home timeline until each holds every acknowledged tweet. */
async function timelines(world: World, load: Load) {
  const expected = load.acked.tweets.map((t) => t.id);
  return settle(
    async () => {
      let missing = 0;
      let duplicates = 0;
      const examples: string[] = [];
      for (const member of world.members) {
        const items = (await readAll(world, '/tweets?limit=100', member)) as { id: string }[];
        const ids = items.map((item) => String(item.id));
        duplicates += duplicatesOf(ids);
        const seen = new Set(ids);
        const absent = expected.filter((id) => !seen.has(id));
        missing += absent.length;
        if (absent.length)
          examples.push(`member ${member.id} lacks ${absent.slice(0, 5).join(',')}`);
      }
      return { missing, duplicates, examples };
    },
    (result) => result.missing === 0,
  );
}

/** The notifications acknowledged writes must have made, keyed recipient|type|actor|tweet. */
function expectedNotifications(load: Load): Map<string, string[]> {
  const byRecipient = new Map<string, string[]>();
  const add = (recipient: string, key: string) =>
    byRecipient.set(recipient, [...(byRecipient.get(recipient) ?? []), key]);
  const authorOf = new Map(load.acked.tweets.map((t) => [t.id, t.authorId]));
  for (const like of load.acked.likes)
    add(like.tweetAuthorId, `like|${like.userId}|${like.tweetId}`);
  for (const tweet of load.acked.tweets) {
    const parentAuthor = tweet.replyTo ? authorOf.get(tweet.replyTo) : undefined;
    if (parentAuthor && parentAuthor !== tweet.authorId)
      add(parentAuthor, `reply|${tweet.authorId}|${tweet.id}`);
  }
  for (const follow of load.acked.follows) add(follow.followeeId, `follow|${follow.followerId}|`);
  // Members followed each other before the load: those notifications are not checked.
  return byRecipient;
}

interface NotificationItem {
  type: string;
  actor: { id: string };
  tweet?: { id: string } | null;
}

async function notificationsOf(world: World, load: Load) {
  const expected = expectedNotifications(load);
  const accounts = [...world.members, ...world.followees];
  return settle(
    async () => {
      let missing = 0;
      let duplicates = 0;
      const examples: string[] = [];
      for (const account of accounts) {
        const want = expected.get(account.id) ?? [];
        const items = (await readAll(
          world,
          '/notifications?limit=100',
          account,
        )) as NotificationItem[];
        const keys = items.map((n) => `${n.type}|${n.actor.id}|${n.tweet?.id ?? ''}`);
        duplicates += duplicatesOf(keys);
        const seen = new Set(keys);
        const absent = want.filter((key) => !seen.has(key));
        missing += absent.length;
        if (absent.length)
          examples.push(`user ${account.id} lacks ${absent.slice(0, 3).join(', ')}`);
      }
      return { missing, duplicates, examples };
    },
    (result) => result.missing === 0,
  );
}

/** Stored counters against COUNT(*) over the rows they count, in the whole scenario database. */
async function counterMismatches(stack: ChaosStack): Promise<number> {
  const db = await stack.sql();
  const [[tweets], [users]] = await Promise.all([
    db.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS wrong FROM tweets t WHERE
         t.likes_count <> (SELECT COUNT(*) FROM likes l WHERE l.tweet_id = t.id)
      OR t.replies_count <> (SELECT COUNT(*) FROM tweets r WHERE r.reply_to_id = t.id)
      OR t.retweets_count <> (SELECT COUNT(*) FROM tweets r WHERE r.retweet_of_id = t.id)`,
    ),
    db.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS wrong FROM users u WHERE
         u.followers_count <> (SELECT COUNT(*) FROM follows f WHERE f.followee_id = u.id)
      OR u.following_count <> (SELECT COUNT(*) FROM follows f WHERE f.follower_id = u.id)
      OR u.tweets_count <> (SELECT COUNT(*) FROM tweets t WHERE t.author_id = u.id)`,
    ),
  ]);
  return Number(tweets[0].wrong) + Number(users[0].wrong);
}

/** What a user sees: GET /tweets/:id likesCount and repliesCount against COUNT(*). */
async function apiCounterMismatches(stack: ChaosStack, world: World, load: Load) {
  const db = await stack.sql();
  const viewer = world.members[0];
  let wrong = 0;
  for (const tweet of load.acked.tweets) {
    const [[likes], [replies]] = await Promise.all([
      db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM likes WHERE tweet_id = ?', [tweet.id]),
      db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM tweets WHERE reply_to_id = ?', [
        tweet.id,
      ]),
    ]);
    const answer = await world.client.call('GET', `/tweets/${tweet.id}`, {
      token: viewer.accessToken,
      count: false,
    });
    if (
      answer.status !== 200 ||
      answer.body.likesCount !== Number(likes[0].n) ||
      answer.body.repliesCount !== Number(replies[0].n)
    )
      wrong += 1;
  }
  return wrong;
}

/** tweet:new events missed by sockets that stayed connected from the POST until its push was due. */
function socketsMissed(world: World, load: Load) {
  let expected = 0;
  let missed = 0;
  for (const tweet of load.acked.tweets) {
    for (const listener of world.listeners.values()) {
      if (!listener.listenedThrough(tweet.sentAt, tweet.ackedAt + PUSH_GRACE_MS)) continue;
      expected += 1;
      if (!listener.tweets.has(tweet.id)) missed += 1;
    }
  }
  return { expected, missed };
}

/** Everything the row of a scenario reports, once the load has stopped and the fault is lifted. */
export async function verify(stack: ChaosStack, world: World, load: Load): Promise<Findings> {
  const details: string[] = [];
  const { tweets, likes, follows } = load.acked;
  const lost = await lostInMysql(stack, load, details);
  const timeline = await timelines(world, load);
  details.push(...timeline.examples.slice(0, 3));
  const notes = await notificationsOf(world, load);
  details.push(...notes.examples.slice(0, 3));
  const sockets = socketsMissed(world, load);
  return {
    writesAcked: tweets.length + likes.length + follows.length,
    lostInMysql: lost,
    lostInTimelines: timeline.missing,
    timelineDuplicates: timeline.duplicates,
    lostNotifications: notes.missing,
    notificationDuplicates: notes.duplicates,
    counterMismatches: await counterMismatches(stack),
    apiCounterMismatches: await apiCounterMismatches(stack, world, load),
    socketExpected: sockets.expected,
    socketMissed: sockets.missed,
    details,
  };
}
