import { DataTypes } from 'sequelize';
import type { Migration } from './index';

// Threads. Replies by parent need no new index: `tweets_reply_to_id` is (reply_to_id) and
// InnoDB appends the primary key to every secondary index, so `WHERE reply_to_id = ? AND
// id > ? ORDER BY id LIMIT n` is a range read on (reply_to_id, id) with no sort.
//
// A deleted tweet's row is gone, and with it the link to the tweet it answered, while its
// replies keep their reply_to_id. `deleted_tweet_links` keeps that one link (tweet_id ->
// reply_to_id) when a reply is deleted, so walking a conversation upward (GET
// /tweets/:id/context) steps over deleted tweets to the ones above them instead of stopping.
export const up: Migration = async ({ context: qi }) => {
  await qi.createTable(
    'deleted_tweet_links',
    {
      tweet_id: { type: DataTypes.BIGINT.UNSIGNED, primaryKey: true },
      reply_to_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
};

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('deleted_tweet_links');
};
