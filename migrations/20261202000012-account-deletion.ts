import { DataTypes } from 'sequelize';
import type { Migration } from './index';

// Account deletion: `DELETE /users/me` sets `deleted_at` and answers at once; from then on the
// account is absent to everyone (as a suspended one is) while the `accounts` queue's job
// removes its rows in batches, then the row itself (which frees the username and email).
export const up: Migration = async ({ context: qi }) => {
  await qi.addColumn('users', 'deleted_at', { type: DataTypes.DATE(3), allowNull: true });
  // The job removes the notifications a user caused, a batch at a time: by index, not a scan.
  await qi.addIndex('notifications', ['actor_id'], { name: 'notifications_actor_id' });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.removeIndex('notifications', 'notifications_actor_id');
  await qi.removeColumn('users', 'deleted_at');
};
