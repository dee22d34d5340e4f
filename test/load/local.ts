/**
 * `--local`: a PM2 cluster of Chirp on its own database and Redis database, with a PM2_HOME
 * of its own (never ~/.pm2), on the bulk seed (seeded once, then reused).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import mysql from 'mysql2/promise';
import type { Group } from './cpu';

const ROOT = path.resolve(__dirname, '../..');
export const LOCAL_PREFIX = 'lt';
export const LOCAL_SEED = { users: 5000, follows: 50_000, tweets: 50_000 };
export const LOCAL_SERVICES = {
  database: 'chirp_load',
  databaseUrl: 'mysql://root@127.0.0.1:3306/chirp_load',
  redisUrl: 'redis://127.0.0.1:6379/11',
  metricsToken: 'loadtest-metrics-token-0123456789',
};

export interface LocalCluster {
  base: string;
  apiInstances: number;
  env: Record<string, string>;
  pids(): Map<number, Group>;
  stop(): void;
}

async function seeded(databaseUrl: string): Promise<boolean> {
  const connection = await mysql.createConnection(databaseUrl);
  try {
    const [rows] = await connection.query('SELECT 1 FROM users WHERE username = ? LIMIT 1', [
      `${LOCAL_PREFIX}_0`,
    ]);
    return (rows as unknown[]).length > 0;
  } finally {
    await connection.end();
  }
}

/** Builds, migrates, seeds when needed and starts `api` (cluster) and `worker` under PM2. */
export async function startLocal(port: number): Promise<LocalCluster> {
  const pm2Home = mkdtempSync(path.join(os.tmpdir(), 'chirp-load-pm2-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: LOCAL_SERVICES.databaseUrl,
    REDIS_URL: LOCAL_SERVICES.redisUrl,
    // Sign-ins happen once, before the ramps: their tokens must outlive the whole run.
    JWT_ACCESS_TTL: '2h',
    JWT_SECRET: 'loadtest-secret-loadtest-secret-0123456789',
    METRICS_TOKEN: LOCAL_SERVICES.metricsToken,
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'warn',
    // Capacity, not the limiter, is measured: limits off, sign-ins unthrottled.
    RATE_LIMIT_POINTS: '0',
    AUTH_RATE_LIMIT_POINTS: '1000000',
    PM2_HOME: pm2Home,
  };
  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, { cwd: ROOT, env, stdio: 'inherit' });
  const pm2 = path.join(ROOT, 'node_modules/.bin/pm2');
  const stop = () => {
    try {
      execFileSync(pm2, ['kill'], { cwd: ROOT, env, stdio: 'ignore' });
    } finally {
      rmSync(pm2Home, { recursive: true, force: true });
    }
  };
  run('npm', ['run', 'build', '--silent']);
  run('node', ['dist/app/cli/migrate.js']);
  if (!(await seeded(env.DATABASE_URL))) {
    // A fresh world: cached token versions or timelines left in this Redis database by an
    // earlier world would name other users' rows (a stale `auth:tv:<id>` answers 401).
    const redis = new Redis(env.REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    const { users, tweets, follows } = LOCAL_SEED;
    run('npx', [
      'tsx',
      'seeders/index.ts',
      '--users',
      `${users}`,
      '--tweets',
      `${tweets}`,
      '--follows',
      `${follows}`,
      '--prefix',
      LOCAL_PREFIX,
    ]);
  }
  try {
    run(pm2, ['start', 'ecosystem.config.js', '--silent']);
    const base = `http://127.0.0.1:${port}`;
    await waitReady(base);
    const pids = () => {
      const list = JSON.parse(execFileSync(pm2, ['jlist'], { cwd: ROOT, env }).toString()) as {
        pid: number;
        name: string;
      }[];
      return new Map(
        list.map((p) => [p.pid, p.name === 'api' ? 'api' : 'worker'] as [number, Group]),
      );
    };
    const apiInstances = [...pids().values()].filter((group) => group === 'api').length;
    return { base, apiInstances, env, pids, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

async function waitReady(base: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${base}/readyz did not answer 200 within 60 s`);
}
