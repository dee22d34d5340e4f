import { DataTypes } from 'sequelize';
import type { Migration } from './index';

export const up: Migration = async ({ context: qi }) => {
  await qi.createTable(
    'users',
    {
      id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
      username: { type: DataTypes.STRING(15), allowNull: false },
      username_key: { type: DataTypes.STRING(15), allowNull: false },
      email: { type: DataTypes.STRING(254), allowNull: false },
      email_key: { type: DataTypes.STRING(254), allowNull: false },
      display_name: { type: DataTypes.STRING(50), allowNull: false },
      bio: { type: DataTypes.STRING(160), allowNull: false, defaultValue: '' },
      password_hash: { type: DataTypes.STRING(60), allowNull: false },
      token_version: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
      followers_count: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
      following_count: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
      tweets_count: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false, defaultValue: 0 },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
  // Uniqueness "ignoring case" is judged on lower-cased keys under a binary collation, so
  // it does not depend on the server's collation rules.
  await qi.sequelize.query(
    'ALTER TABLE users MODIFY username_key VARCHAR(15) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, MODIFY email_key VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
  );
  await qi.addIndex('users', ['username_key'], { unique: true, name: 'users_username_key' });
  await qi.addIndex('users', ['email_key'], { unique: true, name: 'users_email_key' });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('users');
};
