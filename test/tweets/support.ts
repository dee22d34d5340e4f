import { expect } from 'chai';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';

/** The fields of a tweet object, exactly as DESIGN.md lists them. */
export const TWEET_KEYS = [
  'id',
  'author',
  'content',
  'createdAt',
  'likesCount',
  'retweetsCount',
  'repliesCount',
  'replyToId',
  'liked',
  'retweeted',
];

/** The fields of a retweet item in a timeline. */
export const RETWEET_ITEM_KEYS = ['id', 'type', 'retweetedBy', 'createdAt', 'tweet'];

export interface Tweet {
  id: string;
  author: { id: string; username: string; displayName: string };
  content: string;
  createdAt: string;
  likesCount: number;
  retweetsCount: number;
  repliesCount: number;
  replyToId: string | null;
  liked: boolean;
  retweeted: boolean;
}

export interface RetweetItem {
  id: string;
  type: 'retweet';
  retweetedBy: { id: string; username: string; displayName: string };
  createdAt: string;
  tweet: Tweet;
}

export type TimelineItem = Tweet | RetweetItem;

/** An id no tweet has (well above anything a test run creates). */
export const UNKNOWN_ID = '9007199254740993';

/** Registers `count` users at once. */
export const registerUsers = (count: number): Promise<TestUser[]> =>
  Promise.all(Array.from({ length: count }, () => registerUser()));

/** Posts a tweet (or a reply) that must be accepted, and answers it. */
export async function postTweet(
  user: TestUser,
  content = `tweet ${Math.random().toString(36).slice(2)}`,
  replyToId?: string,
): Promise<Tweet> {
  const response = await api()
    .post('/tweets')
    .set(bearer(user.accessToken))
    .send(replyToId === undefined ? { content } : { content, replyToId });
  expect(response.status, JSON.stringify(response.body)).to.equal(201);
  return response.body as Tweet;
}

/** GET /tweets/:id as `user` (the answer is not checked). */
export const getTweet = (user: TestUser, id: string) =>
  api().get(`/tweets/${id}`).set(bearer(user.accessToken));

/** A tweet that must exist, as `user` sees it. */
export async function readTweet(user: TestUser, id: string): Promise<Tweet> {
  const response = await getTweet(user, id);
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return response.body as Tweet;
}

/** The first page (up to 100 items) of a user's home timeline. */
export async function homeTimeline(user: TestUser): Promise<TimelineItem[]> {
  const response = await api().get('/tweets?limit=100').set(bearer(user.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return (response.body as { data: TimelineItem[] }).data;
}

/** The tweet with that id in a timeline (not retweet items of it), if there. */
export const tweetIn = (items: TimelineItem[], id: string): Tweet | undefined =>
  items.find((item): item is Tweet => !('type' in item) && item.id === id);

/** A retweet item of that original tweet in a timeline, if there. */
export const retweetOf = (items: TimelineItem[], tweetId: string): RetweetItem | undefined =>
  items.find((item): item is RetweetItem => 'type' in item && item.tweet.id === tweetId);

/** `follower` follows `followee` through the API. */
export async function follow(follower: TestUser, followee: TestUser): Promise<void> {
  await api().post(`/users/${followee.id}/follow`).set(bearer(follower.accessToken)).expect(200);
}

/** The signed-in user's profile (counters included). */
export async function me(user: TestUser): Promise<{ tweetsCount: number }> {
  const response = await api().get('/users/me').set(bearer(user.accessToken)).expect(200);
  return response.body as { tweetsCount: number };
}
