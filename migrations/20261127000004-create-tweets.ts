import { DataTypes } from 'sequelize';
import type { Migration } from './index';

// No foreign keys on the hot tables (tweets, likes, follows, notifications): InnoDB takes a
// shared lock on the parent row for every child insert, and the counter UPDATE on that same
// parent then deadlocks concurrent likes and follows. The services keep references whole.
export const up: Migration = async ({ context: qi }) => {
  await qi.createTable(
    'tweets',
    {
      id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
      author_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
      // 280 characters: utf8mb4 VARCHAR lengths count code points, so emoji fit as typed.
      content: { type: DataTypes.STRING(280), allowNull: false, defaultValue: '' },
      reply_to_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: true },
      retweet_of_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: true },
      likes_count: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
      retweets_count: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
      replies_count: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
      // Bumped with every counter change: caches keep the highest version they have seen.
      version: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
  await qi.addIndex('tweets', ['author_id', 'id'], { name: 'tweets_author_id_id' });
  // One retweet per user per tweet; NULLs (original tweets) do not collide.
  await qi.addIndex('tweets', ['retweet_of_id', 'author_id'], {
    unique: true,
    name: 'tweets_retweet_of_id_author_id',
  });
  await qi.addIndex('tweets', ['reply_to_id'], { name: 'tweets_reply_to_id' });
  await qi.addIndex('tweets', ['created_at'], { name: 'tweets_created_at' });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('tweets');
};
