import { DataTypes } from 'sequelize';
import type { Migration } from './index';

export const up: Migration = async ({ context: qi }) => {
  await qi.createTable('follows', {
    // Its own id orders the follower and following lists (newest first) for cursor paging.
    id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
    follower_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
    followee_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('follows', ['follower_id', 'followee_id'], {
    unique: true,
    name: 'follows_follower_id_followee_id',
  });
  await qi.addIndex('follows', ['followee_id', 'id'], { name: 'follows_followee_id_id' });
  await qi.addIndex('follows', ['follower_id', 'id'], { name: 'follows_follower_id_id' });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('follows');
};
