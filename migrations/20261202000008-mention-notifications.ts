import type { Migration } from './index';

// Mentions: a mentioned user gets a `mention` notification. The ENUM gains the value at its
// end, keeping the order of the others (NOTIFICATION_TYPES in app/records/notifications.ts
// lists them in this order; test/notifications/types.test.ts compares the two). Appending to
// an ENUM is an in-place metadata change in InnoDB, no table copy.
//
// GET /notifications?type= reads one type of a user's notifications newest first: the index
// (user_id, type, id) makes that a range read, as (user_id, id) is for the whole list.
//
// Tweet entities need no migration or backfill: they are derived from the content when a
// tweet's cached record is built (app/tweets/cache.ts), so every tweet, old or new, has them.
export const up: Migration = async ({ context: qi }) => {
  await qi.sequelize.query(
    "ALTER TABLE notifications MODIFY type ENUM('like', 'retweet', 'follow', 'reply', 'mention') NOT NULL",
  );
  await qi.addIndex('notifications', ['user_id', 'type', 'id'], {
    name: 'notifications_user_id_type_id',
  });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.removeIndex('notifications', 'notifications_user_id_type_id');
  await qi.sequelize.query("DELETE FROM notifications WHERE type = 'mention'");
  await qi.sequelize.query(
    "ALTER TABLE notifications MODIFY type ENUM('like', 'retweet', 'follow', 'reply') NOT NULL",
  );
};
