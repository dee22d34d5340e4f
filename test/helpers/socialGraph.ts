import { expect } from 'chai';
import { getQueue } from '../../app/queue/queues';
import type { Client } from './apiNode';
import { api, bearer, registerUser, type TestUser } from './http';
import { eventually } from './poll';

/**
 * Calls and waits that build a social graph through the API (users, follows, tweets) and read
 * it back: each call checks only that the API accepted it, so a test's own assertions stay
 * about what it specifies. Calls go to the in-process API unless given the `client` of a
 * node of the test's own (test/helpers/apiNode.ts). Tests that are not about these
 * endpoints can build the same graph faster with test/helpers/factories.ts.
 */

export interface UserBody {
  id: string;
  username: string;
  displayName: string;
  bio: string;
  createdAt: string;
  followersCount: number;
  followingCount: number;
  tweetsCount: number;
  following?: boolean;
  blocking?: boolean;
  muting?: boolean;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** An id no user has (far above any auto-increment value a test database reaches). */
export const UNKNOWN_ID = '9007199254740993';

/** Registers `count` users at once. */
export async function registerUsers(count: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: count }, () => registerUser()));
}

/** `GET /users/:id` as `viewer` sees it. */
export async function getUser(viewer: TestUser, id: string): Promise<UserBody> {
  const response = await api().get(`/users/${id}`).set(bearer(viewer.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return response.body as UserBody;
}

export const followRequest = (viewer: TestUser, id: string, client: Client = api()) =>
  client.post(`/users/${id}/follow`).set(bearer(viewer.accessToken));

export const unfollowRequest = (viewer: TestUser, id: string, client: Client = api()) =>
  client.post(`/users/${id}/unfollow`).set(bearer(viewer.accessToken));

/** A user-answering request that must succeed: answers the user. */
async function answeredUser(request: ReturnType<typeof followRequest>): Promise<UserBody> {
  const response = await request;
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return response.body as UserBody;
}

/** `viewer` follows `target`; answers the followed user. */
export const follow = (viewer: TestUser, target: TestUser, client: Client = api()) =>
  answeredUser(followRequest(viewer, target.id, client));

/** `viewer` unfollows `target`; answers the unfollowed user. */
export const unfollow = (viewer: TestUser, target: TestUser, client: Client = api()) =>
  answeredUser(unfollowRequest(viewer, target.id, client));

/** A tweet object, exactly as DESIGN.md lists its fields. */
export interface TweetBody {
  id: string;
  author: { id: string; username: string; displayName: string };
  content: string;
  createdAt: string;
  likesCount: number;
  retweetsCount: number;
  repliesCount: number;
  replyToId: string | null;
  entities: {
    mentions: { id: string; username: string; start: number; end: number }[];
    hashtags: { tag: string; start: number; end: number }[];
  };
  liked: boolean;
  retweeted: boolean;
  bookmarked: boolean;
}

/** Posts a tweet (a reply with `replyToId`) that must be accepted, and answers it. */
export async function postTweet(
  author: TestUser,
  content = `tweet ${Math.random().toString(36).slice(2)}`,
  { replyToId, client = api() }: { replyToId?: string; client?: Client } = {},
): Promise<TweetBody> {
  const response = await client
    .post('/tweets')
    .set(bearer(author.accessToken))
    .send(replyToId === undefined ? { content } : { content, replyToId });
  expect(response.status, JSON.stringify(response.body)).to.equal(201);
  return response.body as TweetBody;
}

/** Sends an engagement call (`like`/`retweet`, POST or DELETE) that must answer 200. */
export async function engage(
  user: TestUser,
  method: 'post' | 'delete',
  what: 'like' | 'retweet',
  tweetId: string,
): Promise<void> {
  const response = await api()[method](`/tweets/${tweetId}/${what}`).set(bearer(user.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
}

/** One page of a list at `path` (query string included) for `viewer`. */
export async function getPage<T>(viewer: TestUser, path: string): Promise<Page<T>> {
  const response = await api().get(path).set(bearer(viewer.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  const body = response.body as Page<T>;
  expect(body).to.have.all.keys('data', 'nextCursor');
  return body;
}

/**
 * Every page of a list, following nextCursor until it is null; from the first page, or from
 * `cursor` (a nextCursor read earlier) when given.
 */
export async function readAllPages<T>(
  viewer: TestUser,
  path: string,
  limit: number,
  cursor: string | null = null,
): Promise<T[][]> {
  const pages: T[][] = [];
  let next = cursor;
  do {
    const query: string = `limit=${limit}${next ? `&cursor=${encodeURIComponent(next)}` : ''}`;
    const page: Page<T> = await getPage<T>(viewer, `${path}?${query}`);
    pages.push(page.data);
    next = page.nextCursor;
    if (pages.length > 100) throw new Error(`${path} gave more than 100 pages`);
  } while (next !== null);
  return pages;
}

/** Waits until the notifications queue has nothing waiting, delayed or running. */
export async function waitForNotificationQueueIdle(timeoutMs = 15_000): Promise<void> {
  const queue = getQueue('notifications');
  await eventually(
    () => queue.getJobCounts(),
    (counts) => counts.waiting + counts.active + counts.delayed === 0,
    'an idle notifications queue',
    timeoutMs,
  );
}

export interface NotificationBody {
  id: string;
  type: 'like' | 'retweet' | 'follow' | 'reply' | 'mention';
  actor: { id: string; username: string; displayName: string };
  tweet?: TweetBody;
  createdAt: string;
  read: boolean;
}

/** The newest (up to 100) notifications of `user`. */
export async function notificationsOf(user: TestUser): Promise<NotificationBody[]> {
  return (await getPage<NotificationBody>(user, '/notifications?limit=100')).data;
}

/** Waits until `user` has at least `count` notifications, then answers them (newest first). */
export async function waitForNotifications(
  user: TestUser,
  count: number,
): Promise<NotificationBody[]> {
  return eventually(
    () => notificationsOf(user),
    (list) => list.length >= count,
    `${count} notification(s) for ${user.username}`,
  );
}

/** Waits for `count` notifications of `user`, lets the worker finish, and answers all of them. */
export async function settledNotifications(
  user: TestUser,
  count: number,
): Promise<NotificationBody[]> {
  await waitForNotifications(user, count);
  await waitForNotificationQueueIdle();
  return notificationsOf(user);
}
