import { DataTypes } from 'sequelize';
import type { Migration } from './index';

export const up: Migration = async ({ context: qi }) => {
  await qi.createTable('notifications', {
    id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
    user_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
    type: { type: DataTypes.ENUM('like', 'retweet', 'follow', 'reply'), allowNull: false },
    actor_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
    tweet_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: true },
    // One notification per (recipient, type, actor, tweet): a like undone and redone, or a
    // job retried, does not notify twice.
    dedupe_key: { type: DataTypes.STRING(100), allowNull: false },
    read_at: { type: DataTypes.DATE(3), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('notifications', ['dedupe_key'], {
    unique: true,
    name: 'notifications_dedupe_key',
  });
  await qi.addIndex('notifications', ['user_id', 'id'], { name: 'notifications_user_id_id' });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('notifications');
};
