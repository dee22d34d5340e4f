import { hashPassword } from '../../app/auth/passwords';
import { issueRefreshToken } from '../../app/auth/refreshTokens';
import { newFamilyId, signAccessToken } from '../../app/auth/tokens';
import { sequelize } from '../../app/infra/db';
import { insertTweet, moveCounter } from '../../app/records/tweets';
import { followersOfAny, insertFollow } from '../../app/records/follows';
import { bumpUserCounter, insertUser } from '../../app/records/users';
import { processRepair } from '../../workers/repair';
import { type TestUser, uniqueHandle } from './http';

/**
 * Factories: users, follows and tweets written straight into MySQL through Chirp's own data
 * modules, for tests that are not about registering, following or posting (timeline paging,
 * notifications, realtime, rate limits, caches). They skip the HTTP round trip, bcrypt per
 * user, and the queues (no fan-out or notification job is queued).
 *
 * - A factory user is a full account: the password FACTORY_PASSWORD (hashed once per run),
 *   and a session minted in-process by Chirp's token code, so it calls the API as a
 *   registered user would. The access token is signed with this process's key, JWT_SECRET of
 *   test/setup.ts, which every API node a test starts inherits (a node started with another
 *   secret refuses it, as it would a registered user's).
 * - Counters move with the rows, as the API moves them: a follow bumps both users',
 *   a tweet its author's tweetsCount and its parent's repliesCount.
 * - Caches: a row written behind Redis's back would leave a cached home timeline, author
 *   timeline or tweet stale. After each write the factory drops what the write touches
 *   through Chirp's own cache repair (workers/repair.ts), and those caches rebuild from MySQL
 *   on their next read. Fan-out is not run: a factory tweet reaches its followers' home
 *   timelines by that rebuild, so a test of fan-out itself posts through the API.
 */

/** The password of every factory user. */
export const FACTORY_PASSWORD = 'correct horse battery';

let passwordHash: Promise<string> | undefined;

/** An account with a fresh session, inserted directly; `displayName` defaults to the username. */
export async function createUser(
  overrides: Partial<{ username: string; email: string; displayName: string; bio: string }> = {},
): Promise<TestUser> {
  const { username, email, displayName, bio } = { ...uniqueHandle('f'), ...overrides };
  passwordHash ??= hashPassword(FACTORY_PASSWORD);
  const user = await insertUser(
    {
      username,
      usernameKey: username.toLowerCase(),
      email,
      emailKey: email.toLowerCase(),
      displayName: displayName ?? username,
      passwordHash: await passwordHash,
      ...(bio === undefined ? {} : { bio }),
    },
    { readBack: true },
  );
  const userId = String(user.id);
  const familyId = newFamilyId();
  const refreshToken = await issueRefreshToken({
    userId,
    familyId,
    sessionStartedAt: new Date(),
  });
  const accessToken = signAccessToken({ sub: userId, ver: user.tokenVersion, fam: familyId });
  return { id: userId, username, email, password: FACTORY_PASSWORD, accessToken, refreshToken };
}

/** `count` factory users. */
export const createUsers = (count: number): Promise<TestUser[]> =>
  Promise.all(Array.from({ length: count }, () => createUser()));

type Someone = Pick<TestUser, 'id'>;

/** `follower` follows `followee` (a no-op if already so), counters included. */
export async function createFollow(follower: Someone, followee: Someone): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    if (!(await insertFollow(follower.id, followee.id, { transaction }))) return;
    await bumpUserCounter([follower.id], 'following_count', 1, transaction);
    await bumpUserCounter([followee.id], 'followers_count', 1, transaction);
  });
  // The follower's timeline and celebrity set now miss the followee's tweets.
  await processRepair({ kind: 'repair', tweetIds: [], userIds: [follower.id], authUserIds: [] });
}

/** Each of `followers` follows `followee`. */
export async function createFollowers(followee: Someone, followers: Someone[]): Promise<void> {
  for (const follower of followers) await createFollow(follower, followee);
}

/**
 * A tweet by `author` (a reply with `replyToId`), counters included; answers its id. Ids
 * grow with time, as for tweets posted through the API.
 */
export async function createTweet(
  author: Someone,
  content = `tweet ${Math.random().toString(36).slice(2)}`,
  { replyToId }: { replyToId?: string } = {},
): Promise<string> {
  const id = await sequelize.transaction(async (transaction) => {
    if (replyToId) await moveCounter(replyToId, 'replies_count', 1, transaction);
    const tweetId = await insertTweet(
      { authorId: author.id, content, replyToId: replyToId ?? null },
      transaction,
    );
    await bumpUserCounter([author.id], 'tweets_count', 1, transaction);
    return tweetId;
  });
  // The author's and their followers' timelines miss it; a parent's cached counts are stale.
  const readers = [author.id, ...(await followersOfAny([author.id]))];
  await processRepair({
    kind: 'repair',
    tweetIds: replyToId ? [replyToId] : [],
    userIds: readers,
    authUserIds: [],
  });
  return id;
}
