import { DataTypes } from 'sequelize';
import type { Migration } from './index';

export const up: Migration = async ({ context: qi }) => {
  await qi.createTable('likes', {
    user_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false, primaryKey: true },
    tweet_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false, primaryKey: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('likes', ['tweet_id'], { name: 'likes_tweet_id' });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('likes');
};
