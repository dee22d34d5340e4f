import { DataTypes } from 'sequelize';
import type { Migration } from './index';

/** Secrets Chirp generates itself and every node shares (the JWT signing secret, `jwt`). */
export const up: Migration = async ({ context: qi }) => {
  await qi.createTable(
    'secrets',
    {
      name: { type: DataTypes.STRING(64), primaryKey: true },
      value: { type: DataTypes.STRING(255), allowNull: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
};

export const down: Migration = async ({ context: qi }) => {
  await qi.dropTable('secrets');
};
