import { DataTypes } from 'sequelize';
import type { Migration } from './index';

export const up: Migration = async ({ context: qi }) => {
  await qi.createTable(
    'password_resets',
    {
      id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
      user_id: {
        type: DataTypes.BIGINT.UNSIGNED,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      token_hash: { type: DataTypes.CHAR(64), allowNull: true },
      expires_at: { type: DataTypes.DATE(3), allowNull: false },
      used_at: { type: DataTypes.DATE(3), allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
  await qi.addIndex('password_resets', ['token_hash'], {
    unique: true,
    name: 'password_resets_token_hash',
  });
  await qi.addIndex('password_resets', ['user_id', 'used_at'], {
    name: 'password_resets_user_id_used_at',
  });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('password_resets');
};
