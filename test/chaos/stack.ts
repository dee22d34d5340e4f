import mysql from 'mysql2/promise';
import { freePort, type RunningProcess, runToExit, startProcess } from '../helpers/processes';
import { OwnRedis, TcpRelay } from '../helpers/services';
import { sleep } from './load';
import { OwnMariadb } from './mariadb';
import { Pm2Cluster } from './pm2';

/**
 * The MySQL server every scenario uses (never its database: each scenario has its own):
 * CHAOS_MYSQL_SERVER, else the server of DATABASE_URL, else the local one.
 */
export const MYSQL_SERVER =
  process.env.CHAOS_MYSQL_SERVER ??
  /^(mysql:\/\/[^/]+)\//.exec(process.env.DATABASE_URL ?? '')?.[1] ??
  'mysql://root@127.0.0.1:3306';

/**
 * The environment every process of a scenario gets on top of the harness's: small bcrypt cost,
 * budgets no load can reach (the limits are not under test here), and fixed secrets.
 */
export const CHAOS_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  BCRYPT_ROUNDS: '4',
  LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
  PUBLIC_URL: 'http://chirp.test',
  JWT_SECRET: 'chaos-secret-that-is-at-least-32-bytes-long!',
  METRICS_TOKEN: 'chaos-metrics-token',
  RATE_LIMIT_POINTS: '1000000',
  AUTH_RATE_LIMIT_POINTS: '1000000',
};

/** A process not ready within this long failed to start (tsx compiles on a shared machine). */
const START_DEADLINE_MS = 90_000;

export interface ApiNode {
  port: number;
  base: string;
  process: RunningProcess | undefined;
}

/** API processes PM2 runs in cluster mode on the one port (API_INSTANCES). */
export const PM2_API_INSTANCES = 2;

/**
 * One scenario's own Chirp: its own MySQL database (dropped and created afresh), optionally on
 * a MariaDB server of its own, its own Redis server (optionally behind a TCP relay the harness
 * controls), and either API processes and one worker started by the harness, or the build run
 * by pm2-runtime (two API processes in cluster mode on one port, one worker).
 * Everything it starts it stops in `stop`, also after a failure.
 */
export class ChaosStack {
  readonly apis: ApiNode[] = [];
  worker: RunningProcess | undefined;
  relay: TcpRelay | undefined;
  pm2: Pm2Cluster | undefined;
  mariadb: OwnMariadb | undefined;
  private db: mysql.Connection | undefined;

  private constructor(
    readonly database: string,
    readonly redis: OwnRedis,
    private readonly extraEnv: Record<string, string>,
  ) {}

  /** The scenario's own MariaDB when it has one, else the shared server. */
  get mysqlServer(): string {
    return this.mariadb?.url ?? MYSQL_SERVER;
  }

  get databaseUrl(): string {
    return `${this.mysqlServer}/${this.database}`;
  }

  /** The Redis URL the processes use: the relay's when there is one. */
  get redisUrl(): string {
    return this.relay ? `redis://127.0.0.1:${this.relay.port}/0` : this.redis.url;
  }

  get env(): Record<string, string> {
    return {
      ...CHAOS_ENV,
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisUrl,
      ...this.extraEnv,
    };
  }

  /** A direct MySQL connection to the scenario's database, for verification and faults. */
  async sql(): Promise<mysql.Connection> {
    this.db ??= await mysql.createConnection({ uri: this.databaseUrl, supportBigNumbers: true });
    return this.db;
  }

  static async start({
    database,
    apis = 1,
    throughRelay = false,
    env = {},
    pm2 = false,
    ownMariadb = false,
  }: {
    database: string;
    apis?: number;
    throughRelay?: boolean;
    env?: Record<string, string>;
    /** Run the build under pm2-runtime (npm start's last step) instead of tsx processes. */
    pm2?: boolean;
    /** A MariaDB server of the scenario's own, which the scenario may restart. */
    ownMariadb?: boolean;
  }): Promise<ChaosStack> {
    if (!/^chirp_chaos_[a-z0-9_]+$/.test(database)) {
      // The harness drops this database: only names of its own are accepted.
      throw new Error(`refusing to use database ${database}: not a chirp_chaos_* name`);
    }
    const stack = new ChaosStack(database, await OwnRedis.create(), env);
    try {
      await stack.redis.start();
      if (throughRelay) {
        stack.relay = await TcpRelay.create({ host: '127.0.0.1', port: stack.redis.port });
        await stack.relay.open();
      }
      if (ownMariadb) {
        stack.mariadb = await OwnMariadb.create();
        await stack.mariadb.start();
      }
      await stack.freshDatabase();
      if (pm2) {
        await stack.startPm2();
        return stack;
      }
      for (let i = 0; i < apis; i += 1)
        stack.apis.push({ port: await freePort(), base: '', process: undefined });
      await Promise.all([...stack.apis.map((_, i) => stack.startApi(i)), stack.startWorker()]);
      return stack;
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }

  private async freshDatabase(): Promise<void> {
    const admin = await mysql.createConnection({ uri: this.mysqlServer });
    try {
      await admin.query(`DROP DATABASE IF EXISTS \`${this.database}\``);
    } finally {
      await admin.end();
    }
    const { code, output } = await runToExit('app/cli/migrate.ts', this.env);
    if (code !== 0) throw new Error(`migration of ${this.database} failed:\n${output}`);
  }

  /** pm2-runtime with the ecosystem file: one port, API processes behind it, one worker. */
  private async startPm2(): Promise<void> {
    const port = await freePort();
    this.apis.push({ port, base: `http://127.0.0.1:${port}`, process: undefined });
    this.pm2 = new Pm2Cluster({
      ...this.env,
      PORT: String(port),
      API_INSTANCES: String(PM2_API_INSTANCES),
      WORKER_INSTANCES: '1',
    });
    this.pm2.start();
    await this.pm2.waitOnline(PM2_API_INSTANCES, START_DEADLINE_MS);
    const deadline = Date.now() + START_DEADLINE_MS;
    while (
      !(await fetch(`${this.apis[0].base}/readyz`, { signal: AbortSignal.timeout(2000) })
        .then((answer) => answer.status === 200)
        .catch(() => false))
    ) {
      if (Date.now() > deadline) throw new Error(`PM2's API never ready:\n${this.pm2.output()}`);
      await sleep(300);
    }
  }

  async startApi(index: number): Promise<void> {
    const node = this.apis[index];
    node.base = `http://127.0.0.1:${node.port}`;
    node.process = await startProcess(
      'app/index.ts',
      { ...this.env, PORT: String(node.port) },
      { timeoutMs: START_DEADLINE_MS },
    );
  }

  async killApi(index: number): Promise<void> {
    await this.apis[index].process?.stop('SIGKILL');
    this.apis[index].process = undefined;
  }

  async startWorker(): Promise<void> {
    this.worker = await startProcess('workers/index.ts', this.env, {
      timeoutMs: START_DEADLINE_MS,
    });
  }

  async killWorker(): Promise<void> {
    await this.worker?.stop('SIGKILL');
    this.worker = undefined;
  }

  /** Stops every process, the relay, Redis and the MySQL connection; leaves the database. */
  async stop(): Promise<void> {
    await Promise.all([
      ...this.apis.map((node) => node.process?.stop('SIGKILL')),
      this.worker?.stop('SIGKILL'),
    ]);
    await this.pm2?.stop();
    await this.relay?.close();
    await this.redis.stop();
    await this.db?.end().catch(() => undefined);
    await this.mariadb?.destroy();
  }
}
