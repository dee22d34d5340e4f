import type { Sequelize } from 'sequelize';
import type Redis from 'ioredis';
import { withTimeout } from '../infra/timing';

const CHECK_TIMEOUT_MS = 1500;

export interface Readiness {
  ready: boolean;
  checks: { mysql: 'ok' | 'down'; redis: 'ok' | 'down' };
}

/** Asks MySQL and Redis for a trivial answer each, in parallel, with a short deadline. */
export async function checkReadiness(sequelize: Sequelize, redis: Redis): Promise<Readiness> {
  const [mysql, cache] = await Promise.allSettled([
    withTimeout(sequelize.query('SELECT 1'), CHECK_TIMEOUT_MS),
    // A disconnected ioredis would queue the PING until it reconnects; fail fast instead.
    redis.status === 'ready'
      ? withTimeout(redis.ping(), CHECK_TIMEOUT_MS)
      : Promise.reject(new Error(redis.status)),
  ]);
  const checks = {
    mysql: mysql.status === 'fulfilled' ? ('ok' as const) : ('down' as const),
    redis: cache.status === 'fulfilled' ? ('ok' as const) : ('down' as const),
  };
  return { ready: checks.mysql === 'ok' && checks.redis === 'ok', checks };
}
