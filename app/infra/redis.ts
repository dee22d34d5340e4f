import Redis, { type RedisOptions } from 'ioredis';
import { config, type Config } from '../../config';
import { logger } from './logger';

const clients = new Map<Redis, { blocking: boolean }>();
/** When a connection error was last logged, by any connection of this process. */
let lastErrorLog = 0;

/**
 * A new ioredis connection to REDIS_URL (through REDIS_SENTINELS when set). `blocking` connections (Bull's subscriber and
 * blocking clients) retry forever instead of failing a command after a few attempts, and
 * are cut rather than quit at shutdown (a QUIT would wait behind a blocking pop).
 */
export function createRedis(
  options: RedisOptions & { name?: string; blocking?: boolean } = {},
  target: Pick<Config, 'redisUrl' | 'redisSentinel'> = config,
): Redis {
  const { name = 'redis', blocking = false, ...rest } = options;
  const client = new Redis(target.redisUrl, {
    connectionName: `chirp:${name}`,
    // With Sentinel, the sentinels name the master (REDIS_URL still gives db and password)
    // and ioredis follows a failover to the new master on its own.
    ...(target.redisSentinel
      ? { sentinels: target.redisSentinel.sentinels, name: target.redisSentinel.name }
      : {}),
    ...(blocking ? { maxRetriesPerRequest: null, enableReadyCheck: false } : {}),
    ...rest,
  });
  client.on('error', (error: Error) => {
    // ioredis reports every failed reconnect of every connection (a process has several, all
    // to the same server): one line a minute per process is enough for an operator.
    const now = Date.now();
    if (now - lastErrorLog > 60_000) {
      lastErrorLog = now;
      logger.warn({ client: name, err: error.message }, 'redis connection error');
    }
  });
  clients.set(client, { blocking });
  client.once('end', () => clients.delete(client));
  return client;
}

/**
 * Options of the connections whose commands take milliseconds (the main one, Bull's command
 * connection). One that still reads "ready" while its server just died would hold commands
 * until the drop is noticed and the retries run out: every command gives up after 1.5 s
 * instead, so request paths fall back to MySQL promptly. Blocking commands run elsewhere.
 */
export const COMMAND_CONNECTION: RedisOptions = { maxRetriesPerRequest: 2, commandTimeout: 1500 };

/** The process-wide general-purpose connection (caches, counters, timelines). */
export const redis = createRedis({
  name: 'main',
  ...COMMAND_CONNECTION,
  enableAutoPipelining: true,
});

/**
 * Ends Lua command definitions on an auto-pipelined connection: called once it serves.
 * ioredis copies a connection's scripts into each auto-pipeline when it makes one, and one
 * is made while another is in flight, so a script defined later is missing from the waiting
 * pipeline; using it there broke the pipeline and crashed the process from ioredis's own
 * callback (test/resilience/firstTraffic.test.ts). After this, a late definition throws
 * where it is made instead.
 */
export function sealScripts(client: Redis): void {
  client.defineCommand = (name: string) => {
    throw new Error(
      `Lua command ${name} defined on ${client.options.connectionName ?? 'a connection'} after ` +
        'it started serving: define scripts when their module loads',
    );
  };
}

/**
 * Whether the main connection is up. Request paths that can do without Redis check this
 * first and go straight to MySQL while it is down, instead of waiting on a reconnect.
 */
export const isRedisReady = (): boolean => redis.status === 'ready';

/** Resolves once the main connection is ready (start-up waits for it before serving). */
export async function redisReady(timeoutMs = 10_000): Promise<void> {
  if (isRedisReady()) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Redis not ready after ${timeoutMs} ms`)),
      timeoutMs,
    );
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Closes every connection this process opened; safe to call twice. */
export async function closeRedis(): Promise<void> {
  await Promise.all(
    [...clients].map(async ([client, { blocking }]) => {
      if (client.status === 'end') return;
      if (blocking) {
        client.disconnect();
        return;
      }
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    }),
  );
}
