import { expect } from 'chai';
import { api, bearer, type TestUser } from '../helpers/http';
import type { TweetBody } from '../helpers/socialGraph';

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
  'entities',
  'liked',
  'retweeted',
  'bookmarked',
];

/** The fields of a retweet item in a timeline. */
export const RETWEET_ITEM_KEYS = ['id', 'type', 'retweetedBy', 'createdAt', 'tweet'];

/** A tweet object (the fields TWEET_KEYS lists). */
export type Tweet = TweetBody;

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

/** The signed-in user's profile (counters included). */
export async function me(user: TestUser): Promise<{ tweetsCount: number }> {
  const response = await api().get('/users/me').set(bearer(user.accessToken)).expect(200);
  return response.body as { tweetsCount: number };
}
