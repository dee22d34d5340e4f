import mysql from 'mysql2/promise';
import client from 'prom-client';
import { config } from '../../config';
import type { DatabaseEndpoint } from '../../config/env';
import { registry } from '../http/metrics';
import { warnThrottled, withTimeout } from '../infra/timing';

/** A scrape must answer even when a replica is slow or away: the other metrics still matter. */
const SCRAPE_TIMEOUT_MS = 1000;

/** What one replica says of its replication, or null when it did not answer in time. */
interface ReplicaState {
  /** Seconds_Behind_Master; null when a replication thread is stopped (MariaDB says NULL). */
  lagSeconds: number | null;
  running: boolean;
}

/**
 * `SHOW REPLICA STATUS` (MariaDB 10.5+, MySQL 8.0.22+) on a connection of its own: Sequelize's
 * read pool picks replicas round robin, and a scrape must ask each one. The account needs
 * REPLICA MONITOR (MariaDB) or REPLICATION CLIENT (MySQL). MySQL names the columns after the
 * source and replica, MariaDB after the master and slave; both are read. A server that is no
 * replica answers no row: not running, lag unknown.
 */
async function replicaState(endpoint: DatabaseEndpoint): Promise<ReplicaState> {
  const connection = await mysql.createConnection({
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.username,
    password: endpoint.password,
    connectTimeout: SCRAPE_TIMEOUT_MS,
  });
  try {
    const [rows] = await withTimeout(connection.query('SHOW REPLICA STATUS'), SCRAPE_TIMEOUT_MS);
    const status = (rows as Record<string, unknown>[])[0];
    if (!status) return { lagSeconds: null, running: false };
    const lag = status.Seconds_Behind_Master ?? status.Seconds_Behind_Source ?? null;
    const io = status.Slave_IO_Running ?? status.Replica_IO_Running;
    const sql = status.Slave_SQL_Running ?? status.Replica_SQL_Running;
    return {
      lagSeconds: lag === null ? null : Number(lag),
      running: io === 'Yes' && sql === 'Yes',
    };
  } finally {
    connection.destroy(); // also when the query timed out: nothing waits for its answer
  }
}

/** A replica's labels: its position in DATABASE_REPLICA_URLS (from 1) and host:port, no secret. */
const replicaLabels = (endpoint: DatabaseEndpoint, index: number) => ({
  replica: String(index + 1),
  host: `${endpoint.host}:${endpoint.port}`,
});

/** Every replica's state, asked at once; a replica that does not answer counts as stopped. */
async function replicaStates(): Promise<ReplicaState[]> {
  return Promise.all(
    config.databaseReplicas.map((endpoint, index) =>
      replicaState(endpoint).catch((error: unknown) => {
        warnThrottled(
          `replica-lag-${index}`,
          { err: error, ...replicaLabels(endpoint, index) },
          'replica status left out of /metrics',
        );
        return { lagSeconds: null, running: false };
      }),
    ),
  );
}

/**
 * One scrape asks each replica once for both gauges below: the first gauge collected starts
 * the question, the second takes the same answer.
 */
let pending: Promise<ReplicaState[]> | undefined;
function scrapeOnce(): Promise<ReplicaState[]> {
  pending ??= replicaStates().finally(() => setImmediate(() => (pending = undefined)));
  return pending;
}

/** A gauge with one series per read replica, its value read from the scrape's states. */
function replicaGauge(name: string, help: string, value: (state: ReplicaState) => number): void {
  new client.Gauge({
    name,
    help,
    labelNames: ['replica', 'host'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const states = await scrapeOnce();
      config.databaseReplicas.forEach((endpoint, index) =>
        this.set(replicaLabels(endpoint, index), value(states[index])),
      );
    },
  });
}

/**
 * How far each read replica (DATABASE_REPLICA_URLS) is behind the primary, read at scrape:
 * MySQL's Seconds_Behind_Master. -1 when it is not known: a replication thread is stopped
 * (MySQL says NULL), the server is no replica, or it did not answer within a second. No
 * replicas, no series.
 */
replicaGauge(
  'chirp_mysql_replica_lag_seconds',
  'Seconds each read replica is behind the primary (Seconds_Behind_Master), -1 when unknown',
  (state) => state.lagSeconds ?? -1,
);

/**
 * 1 while a replica's IO and SQL threads both run, else 0 (stopped, broken, unreachable): a
 * replica at 0 falls further behind with every write, though it still answers reads.
 */
replicaGauge(
  'chirp_mysql_replica_running',
  "1 while a read replica's replication (IO and SQL threads) runs, 0 otherwise",
  (state) => (state.running ? 1 : 0),
);
