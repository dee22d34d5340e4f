import type { Sequelize } from 'sequelize';
import type Redis from 'ioredis';

const CHECK_TIMEOUT_MS = 1500;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer in ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface Readiness {
  ready: boolean;
  checks: { mysql: 'ok' | 'down'; redis: 'ok' | 'down' };
}

/** Asks MySQL and Redis for a trivial answer each, in parallel, with a short deadline. */
export async function checkReadiness(sequelize: Sequelize, redis: Redis): Promise<Readiness> {
  const [mysql, cache] = await Promise.allSettled([
    withTimeout(sequelize.query('SELECT 1'), 'MySQL'),
    // A disconnected ioredis would queue the PING until it reconnects; fail fast instead.
    redis.status === 'ready'
      ? withTimeout(redis.ping(), 'Redis')
      : Promise.reject(new Error(redis.status)),
  ]);
  const checks = {
    mysql: mysql.status === 'fulfilled' ? ('ok' as const) : ('down' as const),
    redis: cache.status === 'fulfilled' ? ('ok' as const) : ('down' as const),
  };
  return { ready: checks.mysql === 'ok' && checks.redis === 'ok', checks };
}
