import { DataTypes } from 'sequelize';
import type { Migration } from './index';

// Revocations that could not be written to Redis when they were made. The highest id is the
// revocation epoch: a node trusts Redis's revocation facts only once Redis says (`auth:epoch`)
// they were rebuilt after it. Revoked families are read back by time for that rebuild.
export const up: Migration = async ({ context: qi }) => {
  await qi.createTable(
    'unpublished_revocations',
    {
      id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
      user_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
  await qi.addIndex('refresh_tokens', ['revoked_at'], { name: 'refresh_tokens_revoked_at' });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.removeIndex('refresh_tokens', 'refresh_tokens_revoked_at');
  await qi.dropTable('unpublished_revocations');
};
