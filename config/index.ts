import { envSchema, type Env, type RedisEndpoint } from './env';
import { DEVELOPMENT_JWT_SECRET } from './env';

export type { RedisEndpoint, RedisNode } from './env';

/** Raised when the environment is invalid; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  return name || 'chirp';
}

/**
 * The endpoint of each Redis role. Unset (or set to REDIS_URL itself), a role shares the main
 * one, Sentinel included; a role given its own server or cluster does not use the sentinels.
 */
function redisRoles(env: Env): Record<'main' | 'cache' | 'pubsub', RedisEndpoint> {
  const main: RedisEndpoint = {
    kind: 'single',
    url: env.REDIS_URL,
    sentinel: env.REDIS_SENTINELS
      ? { sentinels: env.REDIS_SENTINELS, name: env.REDIS_SENTINEL_NAME ?? 'mymaster' }
      : null,
  };
  const role = (endpoint: RedisEndpoint | undefined): RedisEndpoint =>
    endpoint === undefined || (endpoint.kind === 'single' && endpoint.url === env.REDIS_URL)
      ? main
      : endpoint;
  return { main, cache: role(env.REDIS_CACHE_URL), pubsub: role(env.REDIS_PUBSUB_URL) };
}

/** The logical database an endpoint's channels are named after (a cluster has only 0). */
const channelDb = (endpoint: RedisEndpoint): string =>
  endpoint.kind === 'cluster' ? '0' : new URL(endpoint.url).pathname.replace(/^\//, '') || '0';

/** Validates an environment (process.env by default) into Chirp's typed configuration. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.') || 'environment';
        const value = present[name];
        const shown = value === undefined || /SECRET|URL/.test(name) ? '' : ` (got "${value}")`;
        return `${name}${shown}: ${issue.message}`;
      }),
    );
  }
  const env = parsed.data;
  const mode = env.NODE_ENV ?? 'production';
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(databaseName(env.DATABASE_URL))) {
    throw new ConfigError(['DATABASE_URL: the database name must be 1-64 of [A-Za-z0-9_$]']);
  }
  const redis = redisRoles(env);
  return {
    /** NODE_ENV; unset runs as production (only the signing secret's source differs). */
    env: mode,
    isProduction: mode === 'production',
    isTest: mode === 'test',
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    databaseName: databaseName(env.DATABASE_URL),
    /** Connections each process opens to DATABASE_URL at most (as many again to the replicas). */
    databasePoolMax: env.DATABASE_POOL_MAX,
    /** Read replicas (none: every query goes to DATABASE_URL). */
    databaseReplicas: (env.DATABASE_REPLICA_URLS ?? []).map((replica) => ({
      ...replica,
      database: replica.database ?? databaseName(env.DATABASE_URL),
    })),
    redisUrl: env.REDIS_URL,
    /** Set: REDIS_URL's host is not used; Sentinel names the master (REDIS_URL's db, password). */
    redisSentinel: redis.main.kind === 'single' ? redis.main.sentinel : null,
    /**
     * Redis by role: `main` (REDIS_URL: queues, token state, outbox relay; must not evict),
     * `cache` (REDIS_CACHE_URL: timelines, tweet caches, rankings, rate limits; may evict) and
     * `pubsub` (REDIS_PUBSUB_URL: Socket.IO). Unset roles share the main endpoint.
     */
    redis,
    /**
     * Pub/sub channels are shared by every logical database of a Redis server: channels are
     * named after the pub/sub role's database so a test suite on /13 never talks to a
     * cluster on /0.
     */
    pubsubPrefix: `chirp:${channelDb(redis.pubsub)}:`,
    /** The same for channels of the main connection (token revocations), after its database. */
    mainChannelPrefix: `chirp:${channelDb(redis.main)}:`,
    jwt: {
      /**
       * The HS256 secret: JWT_SECRET; the public development one only under an explicit
       * NODE_ENV=development or test; otherwise null, and API nodes use the random secret
       * kept in MySQL (created once, shared by every node: app/auth/signingSecret.ts).
       */
      secret: env.JWT_SECRET ?? (mode === 'production' ? null : DEVELOPMENT_JWT_SECRET),
      usingDevelopmentSecret: env.JWT_SECRET === undefined && mode !== 'production',
      accessTtlSeconds: env.JWT_ACCESS_TTL,
      refreshTtlSeconds: env.REFRESH_TTL,
      /** No session outlives this, however often it is refreshed. */
      sessionMaxAgeSeconds: env.SESSION_MAX_AGE,
    },
    bcryptRounds: env.BCRYPT_ROUNDS,
    rateLimit: {
      points: env.RATE_LIMIT_POINTS,
      durationSeconds: env.RATE_LIMIT_DURATION,
      authPoints: env.AUTH_RATE_LIMIT_POINTS,
      authDurationSeconds: env.AUTH_RATE_LIMIT_DURATION,
    },
    timeline: {
      celebrityThreshold: env.FANOUT_CELEBRITY_THRESHOLD,
      maxLength: env.TIMELINE_MAX_LENGTH,
    },
    /** Rows the account deletion job removes per transaction (app/accounts/purge.ts). */
    accountDeletionBatch: env.ACCOUNT_DELETION_BATCH,
    /**
     * Failed sends of one outbox row (Redis up) before it moves to the dead letters. With the
     * backoff (2^n s, at most 5 min) the default is some 23 minutes of failing.
     */
    outboxMaxAttempts: env.OUTBOX_MAX_ATTEMPTS,
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    publicUrl: env.PUBLIC_URL.replace(/\/+$/, ''),
    apiInstances: env.API_INSTANCES,
    workerInstances: env.WORKER_INSTANCES,
    logLevel: env.LOG_LEVEL,
    /** Proxies in front of the API whose X-Forwarded-For entries count (0: ignore it). */
    trustProxyHops: env.TRUST_PROXY,
    /** Set: /metrics answers only `Authorization: Bearer <token>`; unset: /metrics is off. */
    metricsToken: env.METRICS_TOKEN ?? null,
  };
}

export type Config = ReturnType<typeof loadConfig>;

function loadOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // Start-up cannot go on; a sentence on stderr beats a stack trace.
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/** The process's configuration, validated once at first import. */
export const config: Config = loadOrExit();
