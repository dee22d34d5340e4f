import { DataTypes } from 'sequelize';
import type { Migration } from './index';

// A row the relay cannot send is retried with backoff (next_attempt_at) and keeps its last
// error; after OUTBOX_MAX_ATTEMPTS it moves to outbox_dead_letters, out of the relay's way,
// until an operator retries it (`npm run outbox -- retry`).
export const up: Migration = async ({ context: qi }) => {
  await qi.addColumn('outbox', 'next_attempt_at', { type: DataTypes.DATE(3), allowNull: true });
  await qi.addColumn('outbox', 'last_error', { type: DataTypes.STRING(1000), allowNull: true });
  await qi.createTable(
    'outbox_dead_letters',
    {
      // The outbox row's own id: a retried row goes back under it.
      id: { type: DataTypes.BIGINT.UNSIGNED, primaryKey: true },
      queue: { type: DataTypes.STRING(32), allowNull: false },
      job_id: { type: DataTypes.STRING(191), allowNull: false },
      payload: { type: DataTypes.TEXT, allowNull: false },
      attempts: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false },
      last_error: { type: DataTypes.STRING(1000), allowNull: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      dead_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
};

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('outbox_dead_letters');
  await qi.removeColumn('outbox', 'last_error');
  await qi.removeColumn('outbox', 'next_attempt_at');
};
