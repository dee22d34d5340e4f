import { DataTypes } from 'sequelize';
import type { Migration } from './index';

export const up: Migration = async ({ context: qi }) => {
  await qi.createTable(
    'refresh_tokens',
    {
      id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
      user_id: {
        type: DataTypes.BIGINT.UNSIGNED,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      family_id: { type: DataTypes.CHAR(36), allowNull: false },
      token_hash: { type: DataTypes.CHAR(64), allowNull: false },
      expires_at: { type: DataTypes.DATE(3), allowNull: false },
      rotated_at: { type: DataTypes.DATE(3), allowNull: true },
      revoked_at: { type: DataTypes.DATE(3), allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
  await qi.addIndex('refresh_tokens', ['token_hash'], {
    unique: true,
    name: 'refresh_tokens_token_hash',
  });
  await qi.addIndex('refresh_tokens', ['family_id'], { name: 'refresh_tokens_family_id' });
  await qi.addIndex('refresh_tokens', ['user_id', 'revoked_at'], {
    name: 'refresh_tokens_user_id_revoked_at',
  });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('refresh_tokens');
};
