import type { Migration } from './index';

// Deleting a tweet deletes the notifications about it: without this index that is a scan.
export const up: Migration = async ({ context: qi }) => {
  await qi.addIndex('notifications', ['tweet_id'], { name: 'notifications_tweet_id' });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.removeIndex('notifications', 'notifications_tweet_id');
};
