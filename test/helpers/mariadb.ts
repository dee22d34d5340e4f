import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { createSequelize } from '../../app/infra/db';
import { createMigrator, ensureDatabase } from '../../migrations';
import { freePort } from './processes';

/**
 * MariaDB servers of a test's own: `mariadbd` processes with their own data directory, port
 * and socket, never the machine's server on 3306 (other runs and CI use it). A primary and a
 * replica replicating from it (`startReplicatedPair`) show what Chirp does with a real
 * replica, one that catches up by itself or whose SQL thread a test stops.
 */

/** Debian puts the server in /usr/sbin, which a non-root PATH lacks. */
const MARIADBD = existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mariadbd';
/**
 * Small and quick: the system my.cnf is ignored (it logs to /var/log/mysql), InnoDB gets a
 * small buffer pool and redo log, and clients are never looked up by name.
 */
const SERVER_OPTIONS = [
  '--skip-name-resolve',
  '--innodb-buffer-pool-size=16M',
  '--innodb-log-file-size=8M',
  '--innodb-flush-log-at-trx-commit=0',
  '--innodb-doublewrite=0',
  '--innodb-flush-method=nosync',
  '--bind-address=127.0.0.1',
];
/** mariadbd refuses to run as root unless told which user to be. */
const AS_USER = process.getuid?.() === 0 ? ['--user=root'] : [];

/** Every server started by this process, killed if the run ends without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface MariaDbServer {
  port: number;
  /** `mysql://root@127.0.0.1:<port>/<database>` (root has no password on these servers). */
  url(database: string): string;
  /** One statement on a fresh connection, its rows. */
  query<T = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  /** Shuts the server down (SIGTERM, SIGKILL after 10 s). Its data directory stays. */
  stop(): Promise<void>;
}

/** A data directory with the system tables, root without password over TCP. */
function installDataDirectory(dataDir: string): void {
  const result = spawnSync(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...AS_USER,
      ...SERVER_OPTIONS,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.error) {
    // A machine with only MySQL's server (or none) lacks them; MariaDB's are one package.
    throw new Error(
      "mariadb-install-db could not run: the replica tests need MariaDB's server binaries " +
        '(Debian: mariadb-server-core)',
      { cause: result.error },
    );
  }
  if (result.status !== 0) {
    throw new Error(
      `mariadb-install-db failed (${result.status}):\n${result.stdout}${result.stderr}`,
    );
  }
}

async function waitUntilAnswering(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `mariadbd on ${port} exited (${child.exitCode ?? child.signalCode}); see ${log}`,
      );
    }
    try {
      const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
      await connection.end();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`mariadbd on ${port} did not answer; see ${log}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Starts `mariadbd` on `dataDir` (installed already) with `options`, on a free port. */
export async function startMariaDb(dataDir: string, options: string[]): Promise<MariaDbServer> {
  const port = await freePort();
  const log = path.join(dataDir, 'error.log');
  const child = spawn(
    MARIADBD,
    [
      '--no-defaults',
      ...AS_USER,
      `--datadir=${dataDir}`,
      `--port=${port}`,
      `--socket=${path.join(dataDir, 'mariadb.sock')}`,
      `--pid-file=${path.join(dataDir, 'mariadb.pid')}`,
      `--log-error=${log}`,
      ...SERVER_OPTIONS,
      ...options,
    ],
    { stdio: 'ignore' },
  );
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  try {
    await waitUntilAnswering(port, child, log);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return {
    port,
    url: (database) => `mysql://root@127.0.0.1:${port}/${database}`,
    async query<T>(sql: string, values: unknown[] = []) {
      const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
      try {
        const [rows] = await connection.query(sql, values);
        return rows as T[];
      } finally {
        await connection.end();
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface ReplicatedPair {
  primary: MariaDbServer;
  replica: MariaDbServer;
  /** Chirp's database, migrated on the primary and replicated. */
  database: string;
  /** Resolves once the replica has applied everything the primary has written so far. */
  caughtUp(timeoutSeconds?: number): Promise<void>;
  /** `STOP SLAVE SQL_THREAD`: the replica still receives the binlog but applies nothing. */
  stopApplying(): Promise<void>;
  /** `START SLAVE SQL_THREAD`: the replica applies what it received meanwhile. */
  resumeApplying(): Promise<void>;
  /** Stops both servers and removes their data directories. */
  stop(): Promise<void>;
}

/**
 * A primary (binary log on) and a replica of it, both new, with Chirp's database `database`
 * created and migrated on the primary and replicated to the replica. Both start from one
 * installed data directory copied, so the replica replicates the primary from its first
 * event. Takes a few seconds; stop() in after().
 */
export async function startReplicatedPair(database = 'chirp'): Promise<ReplicatedPair> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'chirp-mariadb-'));
  const [primaryDir, replicaDir] = [path.join(root, 'primary'), path.join(root, 'replica')];
  const started: MariaDbServer[] = [];
  const stop = async () => {
    await Promise.all(started.map((server) => server.stop()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    installDataDirectory(primaryDir);
    cpSync(primaryDir, replicaDir, { recursive: true });
    const primary = await startMariaDb(primaryDir, [
      '--server-id=1',
      `--log-bin=${path.join(primaryDir, 'binlog')}`,
      '--binlog-format=ROW',
    ]);
    started.push(primary);
    const replica = await startMariaDb(replicaDir, [
      '--server-id=2',
      `--relay-log=${path.join(replicaDir, 'relay')}`,
    ]);
    started.push(replica);
    // Empty slave_pos: the replica starts from the primary's first binlog event.
    await replica.query(
      `CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${primary.port},
       MASTER_USER = 'root', MASTER_PASSWORD = '', MASTER_USE_GTID = slave_pos,
       MASTER_CONNECT_RETRY = 1`,
    );
    await replica.query('START SLAVE');

    const caughtUp = async (timeoutSeconds = 20) => {
      const [{ position }] = await primary.query<{ position: string }>(
        'SELECT @@gtid_binlog_pos AS position',
      );
      const [{ waited }] = await replica.query<{ waited: number }>(
        'SELECT MASTER_GTID_WAIT(?, ?) AS waited',
        [position, timeoutSeconds],
      );
      if (Number(waited) !== 0) {
        throw new Error(`the replica did not reach ${position} in ${timeoutSeconds} s`);
      }
    };

    const url = primary.url(database);
    await ensureDatabase(url, database);
    const sequelize = createSequelize(url, 1, []);
    try {
      await createMigrator(sequelize).up();
    } finally {
      await sequelize.close();
    }
    await caughtUp();
    return {
      primary,
      replica,
      database,
      caughtUp,
      stopApplying: async () => void (await replica.query('STOP SLAVE SQL_THREAD')),
      resumeApplying: async () => void (await replica.query('START SLAVE SQL_THREAD')),
      stop,
    };
  } catch (error) {
    await stop(); // neither a half-started server nor its files may outlive the test
    throw error;
  }
}
