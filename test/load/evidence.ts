/**
 * What each step shows besides Artillery's own figures, sampled over its steady part: the
 * API nodes' event-loop delay (from /metrics), Redis as a client sees it (PING round trips)
 * and as it works (INFO commandstats), and MySQL's query rate, slow queries and lock waits.
 */
import Redis from 'ioredis';
import mysql from 'mysql2/promise';

export interface Services {
  /** The Redis database Chirp uses, when the runner knows it. */
  redisUrl?: string;
  /** Chirp's MySQL database, when the runner knows it. */
  databaseUrl?: string;
  /** The API's METRICS_TOKEN: without it /metrics refuses the scrape (no event-loop figures). */
  metricsToken?: string;
}

export interface Evidence {
  /** Worst p99 and worst maximum of the API processes' event-loop delay, ms (2 s windows). */
  eventLoop: { p99: number; max: number; samples: number } | null;
  /** Redis PING round trips from the runner, ms, and Redis's own busy time. */
  redis: {
    pingP50: number;
    pingP99: number;
    pingMax: number;
    /** Share of one core Redis spent executing commands (commandstats usec / wall time), %. */
    busy: number;
    top: { command: string; perSecond: number; usecPerCall: number; busy: number }[];
  } | null;
  mysql: { queriesPerSecond: number; slowQueries: number; rowLockWaits: number } | null;
}

/**
 * Scrapes of /metrics are not free on a node holding thousands of sockets (prom-client lists
 * every handle and open file): every 2 s, not faster.
 */
const SCRAPE_MS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** One gauge of Prometheus text (the first series of that name). */
function gauge(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Commandstats as command → [calls, usec]. */
async function commandStats(redis: Redis): Promise<Map<string, [number, number]>> {
  const info = await redis.info('commandstats');
  const stats = new Map<string, [number, number]>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    stats.set(match[1], [Number(match[2]), Number(match[3])]);
  }
  return stats;
}

async function mysqlStatus(connection: mysql.Connection): Promise<Record<string, number>> {
  const [rows] = await connection.query(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Slow_queries', 'Innodb_row_lock_waits')",
  );
  return Object.fromEntries(
    (rows as { Variable_name: string; Value: string }[]).map((r) => [
      r.Variable_name,
      Number(r.Value),
    ]),
  );
}

/** Samples from now until `stop()` resolves. */
export async function startEvidence(base: string, services: Services) {
  const startedAt = performance.now();
  let running = true;
  const redis = services.redisUrl
    ? new Redis(services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    : null;
  const connection = services.databaseUrl
    ? await mysql.createConnection(services.databaseUrl)
    : null;
  await redis?.connect();
  const statsBefore = redis ? await commandStats(redis) : null;
  const statusBefore = connection ? await mysqlStatus(connection) : null;

  const loop = { p99: 0, max: 0, samples: 0 };
  const scrapeHeaders = { Authorization: `Bearer ${services.metricsToken ?? ''}` };
  const scraping = (async () => {
    while (running) {
      await sleep(SCRAPE_MS);
      const text = await fetch(`${base}/metrics`, { headers: scrapeHeaders }).then(
        (r) => (r.ok ? r.text() : ''),
        () => '',
      );
      // prom-client resets the delay histogram at each scrape: each sample is the last window
      // of whichever API process answered.
      const p99 = gauge(text, 'nodejs_eventloop_lag_p99_seconds');
      const max = gauge(text, 'nodejs_eventloop_lag_max_seconds');
      if (p99 === undefined || max === undefined) continue;
      loop.p99 = Math.max(loop.p99, p99 * 1000);
      loop.max = Math.max(loop.max, max * 1000);
      loop.samples += 1;
    }
  })();
  const pings: number[] = [];
  const pinging = (async () => {
    while (running && redis) {
      const sent = performance.now();
      await redis.ping().catch(() => undefined);
      pings.push(performance.now() - sent);
      await sleep(100);
    }
  })();

  return async function stop(): Promise<Evidence> {
    running = false;
    await Promise.all([scraping, pinging]);
    const seconds = (performance.now() - startedAt) / 1000;
    let redisEvidence: Evidence['redis'] = null;
    if (redis && statsBefore) {
      const after = await commandStats(redis);
      const deltas = [...after].map(([command, [calls, usec]]) => {
        const [calls0, usec0] = statsBefore.get(command) ?? [0, 0];
        return { command, calls: calls - calls0, usec: usec - usec0 };
      });
      const totalUsec = deltas.reduce((sum, d) => sum + d.usec, 0);
      const sorted = [...pings].sort((a, b) => a - b);
      redisEvidence = {
        pingP50: round(percentile(sorted, 50), 2),
        pingP99: round(percentile(sorted, 99), 2),
        pingMax: round(sorted[sorted.length - 1] ?? NaN, 2),
        busy: round((totalUsec / 1e6 / seconds) * 100),
        top: deltas
          .filter((d) => d.calls > 0)
          .sort((a, b) => b.usec - a.usec)
          .slice(0, 4)
          .map((d) => ({
            command: d.command,
            perSecond: Math.round(d.calls / seconds),
            usecPerCall: round(d.usec / d.calls),
            busy: round((d.usec / 1e6 / seconds) * 100),
          })),
      };
      redis.disconnect();
    }
    let mysqlEvidence: Evidence['mysql'] = null;
    if (connection && statusBefore) {
      const after = await mysqlStatus(connection);
      mysqlEvidence = {
        queriesPerSecond: Math.round((after.Questions - statusBefore.Questions) / seconds),
        slowQueries: after.Slow_queries - statusBefore.Slow_queries,
        rowLockWaits: after.Innodb_row_lock_waits - statusBefore.Innodb_row_lock_waits,
      };
      await connection.end();
    }
    return {
      eventLoop: loop.samples
        ? { p99: round(loop.p99), max: round(loop.max), samples: loop.samples }
        : null,
      redis: redisEvidence,
      mysql: mysqlEvidence,
    };
  };
}

/** MariaDB's slow query log, on for the run (local runs: the runner owns the server's settings). */
export interface SlowQuery {
  statement: string;
  count: number;
  maxMs: number;
  rowsExamined: number;
}
const SLOW_QUERY_SECONDS = 0.05;

/**
 * Turns the slow query log on (into mysql.slow_log, queries over 50 ms) for connections
 * opened from now on: call it before Chirp opens its pool. `mark()` starts what counts,
 * `collect()` reads what it caught in `database`, `restore()` puts the server's settings back.
 */
export async function recordSlowQueries(databaseUrl: string, database: string) {
  // The server's own database: Chirp's may not exist yet.
  const server = new URL(databaseUrl);
  server.pathname = '/';
  const connection = await mysql.createConnection(server.toString());
  const [[before]] = (await connection.query(
    'SELECT @@GLOBAL.slow_query_log AS enabled, @@GLOBAL.long_query_time AS threshold, @@GLOBAL.log_output AS output, NOW(6) AS since',
  )) as unknown as [[{ enabled: number; threshold: number; output: string; since: Date }]];
  let since = before.since;
  let restored = false;
  await connection.query(
    `SET GLOBAL log_output = 'TABLE', GLOBAL long_query_time = ${SLOW_QUERY_SECONDS}, GLOBAL slow_query_log = 1`,
  );
  return {
    async mark(): Promise<void> {
      const [[now]] = (await connection.query('SELECT NOW(6) AS now')) as unknown as [
        [{ now: Date }],
      ];
      since = now.now;
    },
    async collect(): Promise<SlowQuery[]> {
      const [rows] = await connection.query(
        `SELECT LEFT(REGEXP_REPLACE(CONVERT(sql_text USING utf8mb4), '[0-9]+', 'N'), 160) AS statement,
                COUNT(*) AS count, MAX(TIME_TO_SEC(query_time)) * 1000 AS maxMs,
                MAX(rows_examined) AS rowsExamined
           FROM mysql.slow_log WHERE db = ? AND start_time >= ?
          GROUP BY statement ORDER BY count DESC, maxMs DESC LIMIT 8`,
        [database, since],
      );
      return (rows as SlowQuery[]).map((r) => ({
        statement: r.statement.replace(/\s+/g, ' '),
        count: Number(r.count),
        maxMs: Math.round(Number(r.maxMs)),
        rowsExamined: Number(r.rowsExamined),
      }));
    },
    async restore(): Promise<void> {
      if (restored) return;
      restored = true;
      await connection.query(
        `SET GLOBAL slow_query_log = ${Number(before.enabled)}, GLOBAL long_query_time = ${Number(before.threshold)}, GLOBAL log_output = ?`,
        [before.output],
      );
      await connection.end();
    },
  };
}
