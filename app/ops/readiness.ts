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

/** How long a verdict is reused: probes from every load balancer cost one check a second. */
const VERDICT_TTL_MS = 1000;

/**
 * checkReadiness, answered from a verdict at most VERDICT_TTL_MS old, and shared by concurrent
 * callers while a check is in flight: a burst of /readyz (it is public and not rate limited)
 * costs MySQL and Redis one query each, not one per request.
 */
export function readinessChecker(
  sequelize: Sequelize,
  redis: Redis,
  ttlMs = VERDICT_TTL_MS,
): () => Promise<Readiness> {
  let verdict: { readiness: Promise<Readiness>; until: number } | undefined;
  return () => {
    const now = Date.now();
    if (verdict && now < verdict.until) return verdict.readiness;
    const readiness = checkReadiness(sequelize, redis);
    // Infinity while in flight: the TTL starts once the answer is known.
    const current = { readiness, until: Infinity };
    verdict = current;
    void readiness.finally(() => (current.until = Date.now() + ttlMs));
    return readiness;
  };
}
