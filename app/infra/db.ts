import { Sequelize, type Options, type Transaction } from 'sequelize';
import { config } from '../../config';
import { databaseEndpoint, type DatabaseEndpoint } from '../../config/env';
import { logger } from './logger';

/**
 * With read replicas, Sequelize sends each SELECT made outside a transaction to the next
 * replica (round robin) and everything else to the primary: writes, and every query of a
 * transaction, reads included. A replica lags its primary, so a read that must see a write
 * just made (the answer of that write) runs in its transaction or passes `useMaster: true`.
 */
function replication(databaseUrl: string, replicas: DatabaseEndpoint[]): Options['replication'] {
  if (replicas.length === 0) return false;
  return { read: replicas, write: databaseEndpoint(databaseUrl) };
}

/** Read options of a query: `useMaster` sends it to the primary even when replicas exist. */
export interface ReadFrom {
  useMaster?: boolean;
}

/**
 * Reads whose rows go into a Redis cache. A lagging replica's row, once cached, would be
 * served until the next write replaced it: a refill reads where the writes are.
 */
export const FOR_CACHE_FILL: ReadFrom = { useMaster: true };

/**
 * Sequelize options shared by the app's pool and the migration runner. `replicas` take the
 * reads (see `replication`); the migration runner passes none.
 */
export function createSequelize(
  databaseUrl = config.databaseUrl,
  poolMax = 10,
  replicas: DatabaseEndpoint[] = config.databaseReplicas,
): Sequelize {
  return new Sequelize(databaseUrl, {
    replication: replication(databaseUrl, replicas),
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

/**
 * Sends every query of `instance` to the primary, replicas or not. Workers run it: their
 * jobs are about changes that committed a moment ago, which a replica may not have yet.
 */
export function readFromPrimary(instance: Sequelize): void {
  instance.addHook('beforePoolAcquire', (options) => {
    options.useMaster = true;
  });
}

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
