import { Sequelize, type Transaction } from 'sequelize';
import { config } from '../../config';
import { logger } from './logger';

/** Sequelize options shared by the app's pool and the migration runner. */
export function createSequelize(databaseUrl = config.databaseUrl, poolMax = 10): Sequelize {
  return new Sequelize(databaseUrl, {
    dialect: 'mysql',
    logging: (sql) => logger.trace({ sql }, 'sql'),
    timezone: '+00:00',
    benchmark: false,
    dialectOptions: {
      // 64-bit ids come back as strings, never as rounded JS numbers.
      supportBigNumbers: true,
      bigNumberStrings: true,
      charset: 'utf8mb4',
      connectTimeout: 5000,
    },
    define: {
      underscored: true,
      charset: 'utf8mb4',
      collate: 'utf8mb4_unicode_ci',
    },
    pool: { max: poolMax, min: 0, idle: 10_000, acquire: 10_000 },
  });
}

/** The process-wide connection pool. */
export const sequelize = createSequelize();

const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/**
 * Runs `fn` in a transaction, retrying (up to three times) when InnoDB picks it as a
 * deadlock victim: the other transaction committed, so running again is safe.
 */
export async function inTransaction<T>(fn: (transaction: Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await sequelize.transaction(fn);
    } catch (error) {
      const code = (error as { parent?: { code?: string } }).parent?.code;
      if (attempt >= 3 || !code || !RETRYABLE.has(code)) throw error;
      logger.debug({ code, attempt }, 'transaction retried');
    }
  }
}

/** Rows changed by an INSERT/UPDATE/DELETE run through `sequelize.query` on mysql2. */
export function affectedRows(result: unknown): number {
  const header = Array.isArray(result) ? (result[0] as unknown) : result;
  return Number((header as { affectedRows?: number } | undefined)?.affectedRows ?? 0);
}

/** The auto-increment id of a single-row INSERT run through `sequelize.query`. */
export function insertId(result: unknown): string {
  const header = Array.isArray(result) ? (result[0] as unknown) : result;
  return String((header as { insertId?: number | string } | undefined)?.insertId ?? '0');
}
