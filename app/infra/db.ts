import {
  ConnectionAcquireTimeoutError,
  ConnectionError,
  DatabaseError,
  Sequelize,
  type Options,
  type Transaction,
} from 'sequelize';
import { escape } from 'sequelize/lib/sql-string';
import { injectReplacements } from 'sequelize/lib/utils/sql';
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

/** Named replacements of a statement (`:name` in its SQL), as Sequelize takes them. */
export type Replacements = Record<string, unknown>;

/** A statement's options: its replacements, its transaction, where a read goes. */
export interface StatementOptions extends ReadFrom {
  replacements?: Replacements;
  transaction?: Transaction | null;
  /** false keeps the statement out of the SQL log (trace): one that carries a secret. */
  logging?: false;
}

/**
 * A statement's SQL cut around its replacements: `pieces[i]`, the value of `names[i]`,
 * `pieces[i + 1]`... Sequelize finds the replacements (skipping strings, quoted names and
 * comments) once per statement text, by filling markers in; each run then only escapes
 * the values, with Sequelize's own escaping, so the text sent is the one it would send.
 */
interface Template {
  pieces: string[];
  names: string[];
}

/**
 * Statement texts remembered, and the longest remembered: SQL built per call (bulk seeding's
 * rows spelled in) is cut again each time instead of filling the memory.
 */
const TEMPLATES_KEPT = 2000;
const TEMPLATE_CHARS_KEPT = 8192;
const templates = new Map<string, Template>();
const MARKER = /'chirp_replacement_(\d+)'/g;

type Dialect = Parameters<typeof injectReplacements>[1];
// Sequelize's types leave out the instance's dialect, which its own replacements need.
const dialect = (sequelize as unknown as { dialect: Dialect }).dialect;

function templateOf(sql: string, names: string[]): Template {
  const key = `${names.join(',')}\n${sql}`;
  const known = templates.get(key);
  if (known) return known;
  const markers = Object.fromEntries(names.map((name, i) => [name, `chirp_replacement_${i}`]));
  const marked = injectReplacements(sql.trim(), dialect, markers);
  const template: Template = { pieces: [], names: [] };
  let end = 0;
  for (const match of marked.matchAll(MARKER)) {
    template.pieces.push(marked.slice(end, match.index));
    template.names.push(names[Number(match[1])]);
    end = match.index + match[0].length;
  }
  template.pieces.push(marked.slice(end));
  if (templates.size < TEMPLATES_KEPT && key.length <= TEMPLATE_CHARS_KEPT) {
    templates.set(key, template);
  }
  return template;
}

/** `sql` with its `:name` replacements escaped in, exactly as `sequelize.query` does it. */
export function sqlText(sql: string, replacements?: Replacements): string {
  if (!replacements) return sql.trim();
  const { pieces, names } = templateOf(sql, Object.keys(replacements));
  let text = pieces[0];
  for (let i = 0; i < names.length; i += 1) {
    const value = replacements[names[i]];
    if (value === undefined) {
      throw new Error(`Named replacement ":${names[i]}" has no entry in the replacement map.`);
    }
    text += escape(value as Parameters<typeof escape>[0], undefined, 'mysql', true) + pieces[i + 1];
  }
  return text;
}

interface DriverConnection {
  query(
    sql: string,
    done: (error: (Error & { errno?: number; sql?: string }) | null, result: unknown) => void,
  ): void;
}
interface QueryFormatter {
  formatError(error: Error, stack?: string): Error;
}
// Sequelize's types leave out its dialect's Query class, whose error formatting is reused.
const { Query } = dialect as unknown as {
  Query: new (connection: unknown, instance: Sequelize, options: object) => QueryFormatter;
};
const ER_LOCK_DEADLOCK = 1213;

/**
 * Runs one statement on the driver's connection (the transaction's, or one from Sequelize's
 * pool, a replica's for a read unless `useMaster`), skipping what `sequelize.query` adds
 * per call and Chirp does not use: option merging, hooks, a query object with a random id,
 * a stack captured in advance, retries, result shaping (30 to 85 µs of CPU a statement,
 * about as much as the driver's own: test/bench/statementCost.ts). Failures are Sequelize's errors as `sequelize.query`
 * throws them (its own formatting), and a deadlock rolls the transaction back as it does.
 */
async function run(sql: string, options: StatementOptions, read: boolean): Promise<unknown> {
  const { transaction } = options;
  // Sequelize's types leave out a transaction's state, which it checks before each statement.
  const state = transaction as unknown as { finished?: string } | null | undefined;
  if (state?.finished) {
    throw new Error(
      `${state.finished} has been called on this transaction, you can no longer use it.`,
    );
  }
  const text = sqlText(sql, options.replacements);
  if (options.logging !== false) logger.trace({ sql: text }, 'sql');
  const manager = sequelize.connectionManager;
  // A transaction's connection is the driver's, which Sequelize's types do not show; the pool
  // tells a read ('SELECT') from a write, which its types spell otherwise.
  const connection = (
    transaction
      ? (transaction as unknown as { connection: DriverConnection }).connection
      : await manager.getConnection({
          type: (read ? 'SELECT' : 'write') as 'read',
          useMaster: options.useMaster,
        })
  ) as DriverConnection;
  try {
    return await new Promise((resolve, reject) =>
      connection.query(text, (error, result) => (error ? reject(error) : resolve(result))),
    );
  } catch (error) {
    const driverError = error as Error & { errno?: number; sql?: string };
    driverError.sql = text;
    if (transaction && driverError.errno === ER_LOCK_DEADLOCK) {
      await transaction.rollback().catch(() => undefined);
      state!.finished = 'rollback';
    }
    throw new Query(connection, sequelize, { transaction }).formatError(
      driverError,
      new Error().stack,
    );
  } finally {
    if (!transaction) manager.releaseConnection(connection);
  }
}

/** Runs a SELECT and answers its rows. */
export async function select<T extends object>(
  sql: string,
  options: StatementOptions = {},
): Promise<T[]> {
  return (await run(sql, options, true)) as T[];
}

/** Runs an INSERT, UPDATE or DELETE and reports what it did. */
export async function execute(
  sql: string,
  options: StatementOptions = {},
): Promise<{ affectedRows: number; insertId: string }> {
  const header = (await run(sql, options, false)) as {
    affectedRows: number;
    insertId?: number | string;
  };
  return { affectedRows: Number(header.affectedRows), insertId: String(header.insertId ?? '0') };
}

type TransactionStatement = (transaction: Transaction, options?: object) => Promise<void>;
interface TransactionQueries {
  startTransactionQuery(transaction: Transaction): string;
  commitTransactionQuery(transaction: Transaction): string;
  rollbackTransactionQuery(transaction: Transaction): string;
}

/**
 * Has `instance` run each transaction's START TRANSACTION, COMMIT and ROLLBACK on the driver
 * too (`run`): Sequelize still makes the transaction (its connection, its afterCommit hooks,
 * its cleanup), with the statements its own generator spells; only its per-call query
 * machinery is skipped, as for every other statement. It marks the transaction finished
 * once the COMMIT or ROLLBACK has left, as Sequelize does. A nested transaction (a savepoint)
 * keeps Sequelize's own way; Chirp makes none.
 */
function transactionStatementsOnDriver(instance: Sequelize): void {
  const queryInterface = instance.getQueryInterface();
  // Sequelize's types leave out the query interface's generator and a transaction's parent.
  const generator = (queryInterface as unknown as { queryGenerator: TransactionQueries })
    .queryGenerator;
  const nested = (transaction: Transaction) =>
    Boolean((transaction as unknown as { parent?: Transaction }).parent);
  const onDriver = (
    sequelizeWay: TransactionStatement,
    sqlOf: (transaction: Transaction) => string,
    finished?: 'commit' | 'rollback',
  ): TransactionStatement => {
    return async (transaction, options) => {
      if (nested(transaction)) return sequelizeWay(transaction, options);
      const sent = run(sqlOf(transaction), { transaction }, false);
      if (finished) (transaction as unknown as { finished: string }).finished = finished;
      await sent;
    };
  };
  queryInterface.startTransaction = onDriver(
    queryInterface.startTransaction.bind(queryInterface),
    (t) => generator.startTransactionQuery(t),
  );
  queryInterface.commitTransaction = onDriver(
    queryInterface.commitTransaction.bind(queryInterface),
    (t) => generator.commitTransactionQuery(t),
    'commit',
  );
  queryInterface.rollbackTransaction = onDriver(
    queryInterface.rollbackTransaction.bind(queryInterface),
    (t) => generator.rollbackTransactionQuery(t),
    'rollback',
  );
}
transactionStatementsOnDriver(sequelize);
