import { DataTypes } from 'sequelize';
import type { Migration } from './index';

// Jobs written in the same transaction as the change they describe, and relayed to Bull:
// a write accepted while Redis is away still reaches timelines and notifications later.
export const up: Migration = async ({ context: qi }) => {
  await qi.createTable('outbox', {
    id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
    queue: { type: DataTypes.STRING(32), allowNull: false },
    job_id: { type: DataTypes.STRING(191), allowNull: false },
    payload: { type: DataTypes.TEXT, allowNull: false },
    attempts: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('outbox', ['created_at'], { name: 'outbox_created_at' });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('outbox');
};
