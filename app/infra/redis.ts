import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import ShardedSubscriber from 'ioredis/built/cluster/ShardedSubscriber';
import { config, type Config, type RedisEndpoint } from '../../config';
import { logger } from './logger';

/** A connection of any role: one server's, or a Redis Cluster's. */
export type RedisConnection = Redis | Cluster;

/** The Redis roles (config.redis): which data lives where is in docs/operations.md. */
export type RedisRole = keyof Config['redis'];

type ConnectionOptions = RedisOptions & {
  name?: string;
  blocking?: boolean;
  /** Options of the Cluster itself, used only when the role's endpoint is a cluster. */
  cluster?: ClusterOptions;
};

const clients = new Map<RedisConnection, { blocking: boolean }>();
/** When a connection error was last logged, by any connection of this process. */
let lastErrorLog = 0;

/** Logs a connection's errors (throttled) and counts it among those closeRedis closes. */
function track<C extends RedisConnection>(client: C, name: string, blocking: boolean): C {
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
 * A new ioredis connection to REDIS_URL (through REDIS_SENTINELS when set). `blocking` connections (Bull's subscriber and
 * blocking clients) retry forever instead of failing a command after a few attempts, and
 * are cut rather than quit at shutdown (a QUIT would wait behind a blocking pop).
 */
export function createRedis(
  options: ConnectionOptions = {},
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
  return track(client, name, blocking);
}

/**
 * ioredis 5.11 (and 6.0) stops a node's sharded subscriber on a failover by disconnecting its
 * connection and removing every listener, error included. A shard channel's `sunsubscribe`
 * that Redis pushes as the slot moves can still arrive on that connection: ioredis finds no
 * command waiting for it and emits an `error` nobody listens to, which Node throws, so the
 * API process died ("Command queue state error ... Last reply: sunsubscribe", seen under load
 * in test/cluster/realtime.test.ts). A stopped subscriber's connection keeps a listener that
 * drops its errors: it is gone, and the group resubscribes on the new master.
 */
const { prototype: subscriber } = ShardedSubscriber;
const stopShardedSubscriber = Object.getOwnPropertyDescriptor(subscriber, 'stop')!.value as (
  this: ShardedSubscriber,
) => void;
subscriber.stop = function stop(this: ShardedSubscriber): void {
  const instance = this.getInstance();
  stopShardedSubscriber.call(this);
  instance?.on('error', () => undefined);
};

function createCluster(
  endpoint: Extract<RedisEndpoint, { kind: 'cluster' }>,
  options: ConnectionOptions,
): Cluster {
  // These belong to the Cluster itself; the rest to its connection to each node.
  const {
    name = 'redis',
    blocking = false,
    enableAutoPipelining,
    lazyConnect,
    enableReadyCheck,
    cluster,
    ...nodeLevel
  } = options;
  const client = new Cluster(endpoint.nodes, {
    enableAutoPipelining,
    lazyConnect,
    enableReadyCheck: blocking ? false : enableReadyCheck,
    ...cluster,
    redisOptions: {
      connectionName: `chirp:${name}`,
      username: endpoint.username,
      password: endpoint.password,
      ...(blocking ? { maxRetriesPerRequest: null } : {}),
      ...nodeLevel,
    },
  });
  return track(client, name, blocking);
}

/**
 * A new connection for a Redis role (config.redis): an ioredis `Redis` for one server (with
 * Sentinel where the role uses it), a `Cluster` for a `redis+cluster://` endpoint. Options
 * are those of createRedis; on a cluster they apply to each node's connection.
 */
export function createRoleRedis(
  role: RedisRole,
  options: ConnectionOptions = {},
  target: Pick<Config, 'redis'> = config,
): RedisConnection {
  const endpoint = target.redis[role];
  if (endpoint.kind === 'cluster') return createCluster(endpoint, options);
  const single: ConnectionOptions = { ...options };
  delete single.cluster;
  return createRedis(single, { redisUrl: endpoint.url, redisSentinel: endpoint.sentinel });
}

/**
 * Options of the connections whose commands take milliseconds (the main one, Bull's command
 * connection). One that still reads "ready" while its server just died would hold commands
 * until the drop is noticed and the retries run out: every command gives up after 1.5 s
 * instead, so request paths fall back to MySQL promptly. Blocking commands run elsewhere.
 */
export const COMMAND_CONNECTION: RedisOptions = { maxRetriesPerRequest: 2, commandTimeout: 1500 };

/** The process-wide main connection (REDIS_URL: token state, outbox relay, locks; no eviction). */
export const redis = createRedis({
  name: 'main',
  ...COMMAND_CONNECTION,
  enableAutoPipelining: true,
});

function cacheConnection(): RedisConnection {
  if (config.redis.cache === config.redis.main) return redis;
  // On a cluster, reads that span slots go a pipeline per node (docs/decisions/0017).
  return createRoleRedis('cache', {
    name: 'cache',
    ...COMMAND_CONNECTION,
    enableAutoPipelining: true,
  });
}

/**
 * The process-wide cache connection (REDIS_CACHE_URL: timelines, tweet caches, rankings, rate
 * limits), whose keys may be evicted and are rebuilt from MySQL. Without a cache endpoint of
 * its own it is the main connection itself, so a one-server install opens nothing more.
 */
export const cacheRedis: RedisConnection = cacheConnection();

/**
 * Ends Lua command definitions on an auto-pipelined connection: called once it serves.
 * ioredis copies a connection's scripts into each auto-pipeline when it makes one, and one
 * is made while another is in flight, so a script defined later is missing from the waiting
 * pipeline; using it there broke the pipeline and crashed the process from ioredis's own
 * callback (test/resilience/firstTraffic.test.ts). After this, a late definition throws
 * where it is made instead.
 */
export function sealScripts(client: RedisConnection): void {
  const name =
    client instanceof Cluster
      ? client.options.redisOptions?.connectionName
      : client.options.connectionName;
  client.defineCommand = (command: string) => {
    throw new Error(
      `Lua command ${command} defined on ${name ?? 'a connection'} after ` +
        'it started serving: define scripts when their module loads',
    );
  };
}

/**
 * Whether the main connection is up. Request paths that can do without Redis check this
 * first and go straight to MySQL while it is down, instead of waiting on a reconnect.
 */
export const isRedisReady = (): boolean => redis.status === 'ready';

/** Whether the cache connection is up: paths reading caches fall back to MySQL while not. */
export const isCacheReady = (): boolean => cacheRedis.status === 'ready';

function whenReady(client: RedisConnection, what: string, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} not ready after ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Resolves once the main and cache connections are ready (start-up waits before serving). */
export async function redisReady(timeoutMs = 10_000): Promise<void> {
  await Promise.all([
    whenReady(redis, 'Redis (REDIS_URL)', timeoutMs),
    whenReady(cacheRedis, 'Redis cache (REDIS_CACHE_URL)', timeoutMs),
  ]);
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
