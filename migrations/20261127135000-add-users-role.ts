import { DataTypes } from 'sequelize';
import type { Migration } from './index';

// Operators (`admin`) may open the queue board at /admin/queues; everyone else is a `user`.
// Granted with `npm run admin:grant -- <username>`.
export const up: Migration = async ({ context: qi }) => {
  await qi.addColumn('users', 'role', {
    type: DataTypes.ENUM('user', 'admin'),
    allowNull: false,
    defaultValue: 'user',
  });
};

export const down: Migration = async ({ context: qi }) => {
  await qi.removeColumn('users', 'role');
};
