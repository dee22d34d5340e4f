import { DataTypes } from 'sequelize';
import type { Migration } from './index';

// Blocks and mutes: one row per (who, whom), unique, so a second block or mute is a no-op.
// Each table is read three ways: "does A block B" (the unique pair), "who blocks B" (the
// fan-out asks it of a page of followers, and the hidden set of B lists it): the reverse pair
// index; and "whom A blocks, newest first" (GET /users/me/blocks pages by the row id): the
// (owner, id) index, so a list of 10,000 blocks is never sorted.
const TABLES = [
  { table: 'blocks', owner: 'blocker_id', other: 'blocked_id' },
  { table: 'mutes', owner: 'muter_id', other: 'muted_id' },
] as const;

export const up: Migration = async ({ context: qi }) => {
  for (const { table, owner, other } of TABLES) {
    await qi.createTable(
      table,
      {
        id: { type: DataTypes.BIGINT.UNSIGNED, autoIncrement: true, primaryKey: true },
        [owner]: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
        [other]: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
        created_at: { type: DataTypes.DATE(3), allowNull: false },
      },
      { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
    );
    await qi.addIndex(table, [owner, other], { unique: true, name: `${table}_${owner}_${other}` });
    await qi.addIndex(table, [other, owner], { name: `${table}_${other}_${owner}` });
    await qi.addIndex(table, [owner, 'id'], { name: `${table}_${owner}_id` });
  }
};

export const down: Migration = async ({ context: qi }) => {
  for (const { table } of TABLES) await qi.dropTable(table);
};
