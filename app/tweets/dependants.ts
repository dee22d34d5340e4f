import type { Transaction } from 'sequelize';
import { deleteNotificationsOfTweets } from '../records/notifications';
import { deleteLikesOfTweets } from '../records/likes';
import { deleteBookmarksOfTweets } from '../records/bookmarks';
import { deleteHashtagsOfTweets } from '../records/hashtags';
import { deleteMentionsOfTweets } from '../records/tweetMentions';
import { deleteRetweetsOf } from '../records/tweets';

/**
 * Every column that holds a tweet's id, and what deleting a tweet does to its rows. A new
 * table that hangs off a tweet declares itself here (test/tweets/dependants.test.ts fails
 * until it does): `deleteTweet` removes whatever TWEET_DEPENDANTS lists, in one transaction
 * with the tweet, and no service keeps a list of its own.
 */

/** A column holding a tweet's id, with the data-module function deleting rows by it. */
export interface TweetDependant {
  table: string;
  column: string;
  /** Deletes the rows naming any of these tweets, in the deleting transaction. */
  remove: (tweetIds: string[], transaction: Transaction) => Promise<void>;
}

/**
 * Rows that go with their tweet. Retweet entries first: `deleteTweet` has locked them and
 * takes them out of timelines and their authors' counts (their own likes and notifications,
 * if any, go with the rest, as their ids are among those deleted).
 */
export const TWEET_DEPENDANTS: readonly TweetDependant[] = [
  { table: 'tweets', column: 'retweet_of_id', remove: deleteRetweetsOf },
  { table: 'likes', column: 'tweet_id', remove: deleteLikesOfTweets },
  { table: 'bookmarks', column: 'tweet_id', remove: deleteBookmarksOfTweets },
  { table: 'notifications', column: 'tweet_id', remove: deleteNotificationsOfTweets },
  { table: 'tweet_mentions', column: 'tweet_id', remove: deleteMentionsOfTweets },
  { table: 'tweet_hashtags', column: 'tweet_id', remove: deleteHashtagsOfTweets },
];

/** Columns naming a tweet whose rows outlive it, each with the reason. */
export const TWEET_REFERENCES_KEPT: readonly { table: string; column: string; reason: string }[] = [
  {
    table: 'tweets',
    column: 'reply_to_id',
    reason:
      'a reply outlives the tweet it answers: deleting a tweet leaves its replies as they are',
  },
  {
    table: 'deleted_tweet_links',
    column: 'tweet_id',
    reason: 'names a tweet already deleted: the row is written as it goes, so threads skip it',
  },
  {
    table: 'deleted_tweet_links',
    column: 'reply_to_id',
    reason:
      'the walk up a thread steps over a deleted tweet to its parent, and on if that goes too',
  },
  {
    table: 'audit_log',
    column: 'target_tweet_id',
    reason: 'the audit log keeps what an admin deleted, after it is gone, for good',
  },
];

/** Deletes every dependant row of these tweets (the tweets themselves are the caller's). */
export async function deleteDependants(
  tweetIds: string[],
  transaction: Transaction,
): Promise<void> {
  for (const dependant of TWEET_DEPENDANTS) await dependant.remove(tweetIds, transaction);
}
