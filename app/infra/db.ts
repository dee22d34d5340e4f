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

/**
 * Runs an INSERT, UPDATE or DELETE and reports what it did. Sequelize shapes raw results
 * differently by the statement's first words (`INSERT INTO` gives `[insertId, affected]`,
 * `INSERT IGNORE` and the rest the driver's header), so this reads both.
 */
export async function execute(
  sql: string,
  options: { replacements?: Record<string, unknown>; transaction?: Transaction } = {},
): Promise<{ affectedRows: number; insertId: string }> {
  const [first, second] = (await sequelize.query(sql, options)) as [unknown, unknown];
  if (typeof first === 'object' && first !== null && 'affectedRows' in first) {
    const header = first as { affectedRows: number; insertId?: number | string };
    return { affectedRows: Number(header.affectedRows), insertId: String(header.insertId ?? '0') };
  }
  return { insertId: String(first), affectedRows: Number(second) };
}
