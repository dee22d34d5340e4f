import { type Transaction } from 'sequelize';
import { select, execute, type ReadFrom } from '../infra/db';

/**
 * What the `blocks` and `mutes` tables share: each row says one user (the owner) acts on
 * another, the pair is unique (so `INSERT IGNORE` tells whether a row is new) and the row id
 * orders the owner's list, newest first. Their data modules (blocks.ts, mutes.ts) are made
 * from this, so the two tables' SQL cannot drift apart. Raw SQL: the insert's affected rows
 * matter, the reads are ids only.
 */
export interface PairTable {
  table: 'blocks' | 'mutes';
  owner: 'blocker_id' | 'muter_id';
  other: 'blocked_id' | 'muted_id';
}

export type PairRead = ReadFrom & { transaction?: Transaction };

export function pairTable({ table, owner, other }: PairTable) {
  return {
    /** Adds the row; false when it was already there. */
    insert: async (
      ownerId: string,
      otherId: string,
      transaction: Transaction,
    ): Promise<boolean> => {
      const result = await execute(
        `INSERT IGNORE INTO ${table} (${owner}, ${other}, created_at)
         VALUES (:ownerId, :otherId, UTC_TIMESTAMP(3))`,
        { replacements: { ownerId, otherId }, transaction },
      );
      return result.affectedRows > 0;
    },

    /** Removes the row; false when there was none. */
    delete: async (
      ownerId: string,
      otherId: string,
      transaction: Transaction,
    ): Promise<boolean> => {
      const result = await execute(
        `DELETE FROM ${table} WHERE ${owner} = :ownerId AND ${other} = :otherId`,
        { replacements: { ownerId, otherId }, transaction },
      );
      return result.affectedRows > 0;
    },

    /** How many rows the owner has (a range count on the (owner, id) index). */
    countOf: async (ownerId: string, transaction: Transaction): Promise<number> => {
      const [row] = await select<{ count: number }>(
        `SELECT COUNT(*) AS count FROM ${table} WHERE ${owner} = :ownerId`,
        { replacements: { ownerId }, transaction },
      );
      return Number(row?.count ?? 0);
    },

    /** Whether the owner's row naming `otherId` exists. */
    exists: async (ownerId: string, otherId: string, read: PairRead = {}): Promise<boolean> => {
      const rows = await select(
        `SELECT 1 FROM ${table} WHERE ${owner} = :ownerId AND ${other} = :otherId`,
        { replacements: { ownerId, otherId }, ...read },
      );
      return rows.length > 0;
    },

    /** Whether either user has a row naming the other (one query, two index points). */
    existsEitherWay: async (a: string, b: string, read: PairRead = {}): Promise<boolean> => {
      const rows = await select(
        `SELECT 1 FROM ${table} WHERE (${owner} = :a AND ${other} = :b)
         OR (${owner} = :b AND ${other} = :a) LIMIT 1`,
        { replacements: { a, b }, ...read },
      );
      return rows.length > 0;
    },

    /**
     * A page of the owner's rows, newest first, below the row id `below` (on the (owner, id)
     * index). Ask for one more than a page to learn whether another follows.
     */
    page: async (
      ownerId: string,
      below: string | undefined,
      limit: number,
    ): Promise<{ rowId: string; userId: string }[]> => {
      const rows = await select<{ rowId: string; userId: string }>(
        `SELECT id AS rowId, ${other} AS userId FROM ${table}
         WHERE ${owner} = :ownerId ${below ? 'AND id < :below' : ''} ORDER BY id DESC LIMIT :limit`,
        { replacements: { ownerId, below, limit } },
      );
      return rows.map((row) => ({ rowId: String(row.rowId), userId: String(row.userId) }));
    },

    /** Everyone the owner's rows name. */
    othersOf: async (ownerId: string, read: PairRead = {}): Promise<string[]> => {
      const rows = await select<{ id: string }>(
        `SELECT ${other} AS id FROM ${table} WHERE ${owner} = :ownerId`,
        { replacements: { ownerId }, ...read },
      );
      return rows.map((row) => String(row.id));
    },

    /** Everyone whose rows name the user. */
    ownersOf: async (otherId: string, read: PairRead = {}): Promise<string[]> => {
      const rows = await select<{ id: string }>(
        `SELECT ${owner} AS id FROM ${table} WHERE ${other} = :otherId`,
        { replacements: { otherId }, ...read },
      );
      return rows.map((row) => String(row.id));
    },

    /** Which of `userIds` own a row naming any of `otherIds` (one range read per other). */
    ownersAmong: async (
      otherIds: string[],
      userIds: string[],
      read: PairRead = {},
    ): Promise<string[]> => {
      if (otherIds.length === 0 || userIds.length === 0) return [];
      const rows = await select<{ id: string }>(
        `SELECT DISTINCT ${owner} AS id FROM ${table}
         WHERE ${other} IN (:otherIds) AND ${owner} IN (:userIds)`,
        { replacements: { otherIds, userIds }, ...read },
      );
      return rows.map((row) => String(row.id));
    },

    /** Which of `userIds` are named by a row of any of `ownerIds`. */
    othersAmong: async (
      ownerIds: string[],
      userIds: string[],
      read: PairRead = {},
    ): Promise<string[]> => {
      if (ownerIds.length === 0 || userIds.length === 0) return [];
      const rows = await select<{ id: string }>(
        `SELECT DISTINCT ${other} AS id FROM ${table}
         WHERE ${owner} IN (:ownerIds) AND ${other} IN (:userIds)`,
        { replacements: { ownerIds, userIds }, ...read },
      );
      return rows.map((row) => String(row.id));
    },

    /**
     * Account deletion: removes up to `limit` rows the user owns and up to `limit` naming them
     * (each read on its index); answers the other users of the rows removed.
     */
    deleteOfUser: async (
      userId: string,
      limit: number,
      transaction: Transaction,
    ): Promise<string[]> => {
      const rows = await select<{ id: string; otherId: string }>(
        `(SELECT id, ${other} AS otherId FROM ${table} WHERE ${owner} = :userId LIMIT :limit)
         UNION ALL
         (SELECT id, ${owner} AS otherId FROM ${table} WHERE ${other} = :userId LIMIT :limit)`,
        { replacements: { userId, limit }, transaction },
      );
      if (rows.length === 0) return [];
      await execute(`DELETE FROM ${table} WHERE id IN (:ids)`, {
        replacements: { ids: rows.map((row) => row.id) },
        transaction,
      });
      return rows.map((row) => String(row.otherId));
    },

    /** SQL that is true when `ownerColumn`'s row names `otherColumn` (for other modules' reads). */
    existsSql: (ownerColumn: string, otherColumn: string): string => {
      return `EXISTS(SELECT 1 FROM ${table} WHERE ${owner} = ${ownerColumn} AND ${other} = ${otherColumn})`;
    },
  };
}
