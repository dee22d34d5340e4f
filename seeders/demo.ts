import { config } from '../config';
import { hashPassword } from '../app/auth/passwords';
import { keys } from '../app/cache/keys';
import { deleteCacheKeys } from '../app/cache/store';
import { insertBookmark } from '../app/records/bookmarks';
import { isBlocking } from '../app/records/blocks';
import { isMuting } from '../app/records/mutes';
import { block, mute } from '../app/users/safety';
import { insertLike } from '../app/records/likes';
import { inTransaction } from '../app/infra/db';
import { rebuildTrending } from '../app/hashtags/trending';
import { recordEntities } from '../app/tweets/postEntities';
import { recordEngagement } from '../app/tweets/popular';
import { entryIdsSince, findPostId, insertRetweetEntry, insertTweet } from '../app/records/tweets';
import { followersOfAny, insertFollow } from '../app/records/follows';
import { findUsersByUsernameKeys, insertUser } from '../app/records/users';
import { recountAll } from './counters';
import {
  DEMO_BLOCKS,
  DEMO_BOOKMARKS,
  DEMO_MUTES,
  DEMO_PASSWORD,
  DEMO_POSTS,
  DEMO_REPLIES,
  DEMO_RETWEETS,
  DEMO_THREAD,
  DEMO_USERS,
  demoFollows,
  demoLikes,
  type DemoName,
  type DemoTweetRef,
} from './demoWorld';
import { warmHomeTimelines } from './warm';

/** Rows the run added, by kind (all zero on a second run). */
interface Added {
  users: number;
  follows: number;
  tweets: number;
  retweets: number;
  likes: number;
  bookmarks: number;
  blocks: number;
  mutes: number;
}

/** Ids of the demo accounts by name, creating those that are missing (one shared hash). */
async function ensureUsers(added: Added): Promise<Map<DemoName, string>> {
  const names = DEMO_USERS.map(([name]) => name);
  const existing = await findUsersByUsernameKeys(names);
  const ids = new Map(existing.map((user) => [user.usernameKey as DemoName, String(user.id)]));
  const missing = DEMO_USERS.filter(([name]) => !ids.has(name));
  if (missing.length === 0) return ids;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const [username, displayName, bio] of missing) {
    const email = `${username}@demo.chirp.localhost`;
    const user = await insertUser({
      username,
      usernameKey: username,
      email,
      emailKey: email,
      displayName,
      bio,
      passwordHash,
    });
    ids.set(username, String(user.id));
    added.users += 1;
  }
  return ids;
}

/**
 * The id of an author's tweet with this content (and parent), inserting it when missing as
 * the API posts one: with its mentions and tags stored and the mentioned users notified.
 */
async function ensureTweet(
  authorId: string,
  content: string,
  replyToId: string | null,
  added: Added,
): Promise<string> {
  const found = await findPostId(authorId, content, replyToId);
  if (found) return found;
  const id = await inTransaction(async (transaction) => {
    const tweetId = await insertTweet({ authorId, content, replyToId }, transaction);
    await recordEntities(transaction, authorId, tweetId, content);
    return tweetId;
  });
  added.tweets += 1;
  if (replyToId) await recordEngagement(replyToId, 'reply');
  return id;
}

/**
 * Posts (round by round, so authors interleave), replies, then the thread's replies to
 * replies; answers post ids by `name:n` and reply ids by `reply:n` (numbered as in DEMO_THREAD).
 */
async function ensureTweets(
  users: Map<DemoName, string>,
  added: Added,
): Promise<Map<string, string>> {
  const posts = new Map<string, string>();
  const rounds = Math.max(...Object.values(DEMO_POSTS).map((list) => list.length));
  for (let n = 0; n < rounds; n += 1) {
    for (const [name] of DEMO_USERS) {
      const content = DEMO_POSTS[name][n];
      if (content)
        posts.set(`${name}:${n}`, await ensureTweet(users.get(name)!, content, null, added));
    }
  }
  let reply = 0;
  for (const [author, [to, n], content] of DEMO_REPLIES) {
    const id = await ensureTweet(users.get(author)!, content, posts.get(`${to}:${n}`)!, added);
    posts.set(`reply:${reply++}`, id);
  }
  for (const [author, to, content] of DEMO_THREAD) {
    const id = await ensureTweet(users.get(author)!, content, posts.get(`reply:${to}`)!, added);
    posts.set(`reply:${reply++}`, id);
  }
  return posts;
}

/** The id of a demo tweet named by a post `[author, n]` or a reply number. */
function tweetOf(posts: Map<string, string>, ref: DemoTweetRef): string {
  return posts.get(typeof ref === 'number' ? `reply:${ref}` : `${ref[0]}:${ref[1]}`)!;
}

/** Follows, retweets, likes and bookmarks: each `INSERT IGNORE`d, so a second run adds nothing. */
async function ensureEngagement(
  users: Map<DemoName, string>,
  posts: Map<string, string>,
  added: Added,
): Promise<void> {
  for (const [follower, followee] of demoFollows()) {
    if (await insertFollow(users.get(follower)!, users.get(followee)!)) added.follows += 1;
  }
  for (const [user, [author, n]] of DEMO_RETWEETS) {
    const tweetId = posts.get(`${author}:${n}`)!;
    if (await insertRetweetEntry(users.get(user)!, tweetId)) {
      added.retweets += 1;
      await recordEngagement(tweetId, 'retweet');
    }
  }
  for (const [user, [author, n]] of demoLikes()) {
    const tweetId = posts.get(`${author}:${n}`)!;
    if (await insertLike(users.get(user)!, tweetId)) {
      added.likes += 1;
      await recordEngagement(tweetId, 'like');
    }
  }
  for (const [user, ref] of DEMO_BOOKMARKS) {
    if (await insertBookmark(users.get(user)!, tweetOf(posts, ref))) added.bookmarks += 1;
  }
  // Through the API's own services: a block also ends follows and cleans both timelines.
  for (const [blocker, blocked] of DEMO_BLOCKS) {
    const [a, b] = [users.get(blocker)!, users.get(blocked)!];
    if (!(await isBlocking(a, b))) {
      await block(a, b);
      added.blocks += 1;
    }
  }
  for (const [muter, muted] of DEMO_MUTES) {
    const [a, b] = [users.get(muter)!, users.get(muted)!];
    if (!(await isMuting(a, b))) {
      await mute(a, b);
      added.mutes += 1;
    }
  }
}

/**
 * Rows written behind the API's back leave Redis behind: drop what they touch (the demo
 * users' caches and their followers' timelines, the demo tweets' cache entries). Every one
 * of these keys is rebuilt from MySQL on its next read.
 */
async function dropStaleCaches(userIds: string[]): Promise<void> {
  const followers = await followersOfAny(userIds);
  const entries = await entryIdsSince(userIds);
  const readers = new Set([...userIds, ...followers]);
  const stale = [
    ...[...readers].flatMap((id) => [keys.home(id), keys.celebrities(id)]),
    ...userIds.flatMap((id) => [keys.author(id), ...keys.viewerFlags(id)]),
    ...entries.map((id) => keys.tweet(id)),
  ];
  for (let i = 0; i < stale.length; i += 500) await deleteCacheKeys(stale.slice(i, i + 500));
}

function summaryLine(added: Added, corrected: number): string {
  if (Object.values(added).some((n) => n > 0)) {
    return (
      `Demo world loaded: added ${added.users} users, ${added.follows} follows, ` +
      `${added.tweets} tweets and replies, ${added.retweets} retweets, ${added.likes} likes, ` +
      `${added.bookmarks} bookmarks, ${added.blocks} blocks, ${added.mutes} mutes.`
    );
  }
  if (corrected > 0) return `Demo world already in place; ${corrected} drifted counters corrected.`;
  return 'Demo world already in place: nothing changed.';
}

/**
 * `npm run db:seed`: loads the demo world, adding only what is missing, makes the demo
 * users' and tweets' counters match the rows, warms their home timelines and prints how to
 * sign in. Running it again changes nothing.
 */
export async function seedDemo(): Promise<void> {
  const added: Added = {
    users: 0,
    follows: 0,
    tweets: 0,
    retweets: 0,
    likes: 0,
    bookmarks: 0,
    blocks: 0,
    mutes: 0,
  };
  const users = await ensureUsers(added);
  const posts = await ensureTweets(users, added);
  await ensureEngagement(users, posts, added);
  const userIds = [...users.values()];
  const corrected = await recountAll({ ids: userIds }, { ids: [...posts.values()] });
  const changed = Object.values(added).some((n) => n > 0) || corrected > 0;
  if (changed) await dropStaleCaches(userIds);
  await warmHomeTimelines(userIds, 4);
  // The demo tags were written behind the API's back: count them in (as any recent tags).
  await rebuildTrending();

  const [name] = DEMO_USERS[0];
  process.stdout.write(
    [
      summaryLine(added, corrected),
      `${DEMO_USERS.length} demo users (${DEMO_USERS.map(([n]) => n).join(', ')}) share the password "${DEMO_PASSWORD}".`,
      `Sign in as ${name}:`,
      `  curl -s -X POST ${config.publicUrl}/auth/login -H 'Content-Type: application/json' \\`,
      `    -d '{"username":"${name}","password":"${DEMO_PASSWORD}"}'`,
      '',
    ].join('\n'),
  );
}
