import { DataTypes } from 'sequelize';
import type { Migration } from './index';

// Suspensions and the admins' audit log. A suspended account keeps its rows; `suspended_at`
// hides it (profile, tweets, retweets) and refuses its sign-ins until an admin unsuspends it.
// Every admin action writes one `audit_log` row in the action's own transaction: who
// (`admin_id`, NULL for the admin:grant command line), what (`action`), whom (the target user
// and/or tweet: a deleted tweet's id stays as a plain number, no foreign key), why (`reason`)
// and when. `GET /admin/audit` pages it newest first by id.
export const up: Migration = async ({ context: qi }) => {
  await qi.addColumn('users', 'suspended_at', { type: DataTypes.DATE(3), allowNull: true });
  await qi.createTable(
    'audit_log',
    {
      id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
      admin_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: true },
      action: {
        type: DataTypes.ENUM('suspend', 'unsuspend', 'delete_tweet', 'grant_admin', 'revoke_admin'),
        allowNull: false,
      },
      target_user_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: true },
      target_tweet_id: { type: DataTypes.BIGINT.UNSIGNED, allowNull: true },
      reason: { type: DataTypes.STRING(500), allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
  await qi.addIndex('audit_log', ['target_user_id'], { name: 'audit_log_target_user_id' });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('audit_log');
  await qi.removeColumn('users', 'suspended_at');
};
