import {
  ConnectionAcquireTimeoutError,
  ConnectionError,
  DatabaseError,
  Sequelize,
  type Options,
  type Transaction,
} from 'sequelize';
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
 * How long a statement waits for a row lock another transaction holds before it fails with
 * ER_LOCK_WAIT_TIMEOUT (MariaDB's default is 50 s): a request that needs a locked row answers
 * 503 within seconds instead of hanging, and gives its connection back.
 */
export const LOCK_WAIT_SECONDS = 2;
/** How long a query waits for a pooled connection before SequelizeConnectionAcquireTimeoutError. */
export const POOL_ACQUIRE_MS = 5000;

interface SessionConnection {
  query(sql: string, done: (error: Error | null) => void): void;
}

async function boundLockWaits(connection: SessionConnection): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    connection.query(`SET SESSION innodb_lock_wait_timeout = ${LOCK_WAIT_SECONDS}`, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
}

/**
 * Sequelize options shared by the app's pool and the migration runner. `replicas` take the
 * reads (see `replication`); the migration runner passes none.
 */
export function createSequelize(
  databaseUrl = config.databaseUrl,
  poolMax = config.databasePoolMax,
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
    pool: { max: poolMax, min: 0, idle: 10_000, acquire: POOL_ACQUIRE_MS },
    hooks: {
      afterConnect: (connection) => boundLockWaits(connection as SessionConnection),
    },
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

const driverCode = (error: unknown) =>
  (error as { parent?: { code?: string } } | null)?.parent?.code;

/**
 * Runs `fn` in a transaction, retrying (up to three times) when InnoDB picks it as a
 * deadlock victim: the other transaction committed, so running again is safe. A lock wait
 * that timed out is not retried: the lock is still held, and waiting again would stretch the
 * request's bound (LOCK_WAIT_SECONDS) threefold.
 */
export async function inTransaction<T>(fn: (transaction: Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await sequelize.transaction(fn);
    } catch (error) {
      const code = driverCode(error);
      if (attempt >= 3 || code !== 'ER_LOCK_DEADLOCK') throw error;
      logger.debug({ code, attempt }, 'transaction retried');
    }
  }
}

/** Driver errors of a database that is busy (locks) or away (connection): not the request's fault. */
const BUSY = new Set(['ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_DEADLOCK']);
const AWAY = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
]);

/**
 * Whether `error` says MariaDB is busy or unreachable rather than that the query is wrong,
 * and how long a client should wait before trying again: `busy` (a lock wait or deadlock
 * that timed out, no pooled connection free within POOL_ACQUIRE_MS) or `away` (connection
 * refused or lost). Null for every other error.
 */
export function databaseUnavailable(error: unknown): 'busy' | 'away' | null {
  if (error instanceof ConnectionAcquireTimeoutError) return 'busy';
  if (error instanceof ConnectionError) return 'away';
  const code = driverCode(error);
  if (!(error instanceof DatabaseError) || !code) return null;
  if (BUSY.has(code)) return 'busy';
  return AWAY.has(code) ? 'away' : null;
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
