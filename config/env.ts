import os from 'node:os';
import { z } from 'zod';

/** Durations like `15m`, `30d`, `3600` (seconds) become whole seconds. */
const duration = z.string().transform((value, ctx) => {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as 900, 15m, 12h or 30d' });
    return z.NEVER;
  }
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  if (seconds < 1) {
    ctx.addIssue({ code: 'custom', message: 'must be at least one second' });
    return z.NEVER;
  }
  return seconds;
});

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

/** Whether every %-escape of `text` decodes (a `%` followed by two hex digits, valid UTF-8). */
function decodable(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether a URL's user, password and path decode. */
const partsDecode = ({ username, password, pathname }: URL): boolean =>
  [username, password, pathname].every(decodable);

const MALFORMED_ESCAPE =
  'has a malformed %-escape in its user, password or path (escape UTF-8 bytes, as %40 for @)';

/** A URL whose user, password and path decode: they are read with decodeURIComponent. */
const decodableUrl = (protocols: string[]) =>
  url(protocols).refine(
    (value) => {
      try {
        return partsDecode(new URL(value));
      } catch {
        return true; // not a URL at all: url() above says so
      }
    },
    { message: MALFORMED_ESCAPE },
  );

/** Where a MySQL server is, as Sequelize's replication options take it. */
export interface DatabaseEndpoint {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** Unset: the database DATABASE_URL names. */
  database?: string;
}

/** A `mysql://user:password@host:port/database` URL as an endpoint. */
export function databaseEndpoint(value: string): DatabaseEndpoint {
  const url = new URL(value);
  const decode = (part: string) => (part === '' ? undefined : decodeURIComponent(part));
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port) || 3306,
    username: decode(url.username),
    password: decode(url.password),
    database: decode(url.pathname.replace(/^\//, '')),
  };
}

/** Comma-separated entries, each parsed by `parse` or reported by its position. */
function list<T>(parse: (entry: string) => T | undefined, expected: string) {
  return z.string().transform((value, ctx) => {
    const parsed: T[] = [];
    value.split(',').forEach((raw, index) => {
      const item = parse(raw.trim());
      if (item === undefined) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} ${expected}` });
      } else {
        parsed.push(item);
      }
    });
    return parsed;
  });
}

/** The replicas' URLs are never echoed back: they may hold passwords. */
const replicaUrls = list((entry) => {
  try {
    const url = new URL(entry);
    return url.protocol === 'mysql:' && url.hostname !== '' ? databaseEndpoint(entry) : undefined;
  } catch {
    return undefined;
  }
}, 'must be a URL such as mysql://reader:secret@replica-1:3306/chirp');

/** `host:port`, the host in brackets when it is an IPv6 address (`[::1]:26379`). */
function hostPort(entry: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/.exec(entry);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2], port };
}

const hostPorts = list(
  hostPort,
  'must be host:port with a port from 1 to 65535, such as sentinel-1:26379',
);
const clusterSeeds = list(
  hostPort,
  'must be host:port with a port from 1 to 65535, such as redis-1:6379',
);

/** A seed or member of a Redis Cluster. */
export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Where one Redis role's connections go: one server (through REDIS_SENTINELS when the role
 * uses REDIS_URL's server), or a Redis Cluster reached through any of its seed nodes.
 */
export type RedisEndpoint =
  | {
      kind: 'single';
      url: string;
      /** Set: the sentinels name the master; `url` still gives db and password. */
      sentinel: { sentinels: RedisNode[]; name: string } | null;
    }
  | { kind: 'cluster'; nodes: RedisNode[]; username?: string; password?: string };

const CLUSTER_URL = /^redis\+cluster:\/\/(?:([^@/]*)@)?([^@/]*)\/?$/;

/**
 * A role's Redis: `redis://` or `rediss://` for one server, or
 * `redis+cluster://[user:password@]host1:port1,host2:port2` for a cluster's seed nodes.
 * The URLs are never echoed back: they may hold passwords.
 */
const redisRoleUrl = z.string().transform((value, ctx): RedisEndpoint => {
  const cluster = CLUSTER_URL.exec(value.trim());
  if (cluster) {
    const nodes = clusterSeeds.safeParse(cluster[2]);
    if (!nodes.success) {
      for (const issue of nodes.error.issues) {
        ctx.addIssue({ code: 'custom', message: `cluster seed ${issue.message}` });
      }
      return z.NEVER;
    }
    const [user = '', password] = (cluster[1] ?? '').split(/:(.*)/s);
    if (![user, password ?? ''].every(decodable)) {
      ctx.addIssue({ code: 'custom', message: MALFORMED_ESCAPE });
      return z.NEVER;
    }
    const decode = (part: string | undefined) =>
      part === undefined || part === '' ? undefined : decodeURIComponent(part);
    return {
      kind: 'cluster',
      nodes: nodes.data,
      username: decode(user),
      password: decode(password),
    };
  }
  try {
    const single = new URL(value);
    if (['redis:', 'rediss:'].includes(single.protocol)) {
      if (!partsDecode(single)) {
        ctx.addIssue({ code: 'custom', message: MALFORMED_ESCAPE });
        return z.NEVER;
      }
      return { kind: 'single', url: value, sentinel: null };
    }
  } catch {
    // reported below
  }
  ctx.addIssue({
    code: 'custom',
    message:
      'must be a URL starting with redis:// or rediss://, or ' +
      'redis+cluster://host1:port1,host2:port2 for a Redis Cluster',
  });
  return z.NEVER;
});

/**
 * How many proxies in front of the API to trust: X-Forwarded-For's right-most N entries are
 * theirs, and the client address is the left-most of those. `true` is one hop (one nginx or
 * one load balancer); `false` and `0` trust none and ignore the header.
 */
const proxyHops = z
  .string()
  .trim()
  .regex(/^(true|false|\d{1,2})$/, 'must be a number of proxy hops (0-10), true (1) or false (0)')
  .transform((value) => (value === 'true' ? 1 : value === 'false' ? 0 : Number(value)))
  .pipe(z.number().max(10, 'must be at most 10 hops'));

/** The dev-only signing key: shared by every local process so a token works on any of them. */
export const DEVELOPMENT_JWT_SECRET = 'chirp-development-secret-do-not-use-in-production';

/** Every variable Chirp reads, its default and its rule: the configuration table of the README. */
export const envSchema = z
  .object({
    // Unset is not "development": a server started as the README says must be safe to expose.
    NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
    PORT: int(0, 65535).default(3000),
    DATABASE_URL: decodableUrl(['mysql:']).default('mysql://root@127.0.0.1:3306/chirp'),
    REDIS_URL: decodableUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379/0'),
    REDIS_CACHE_URL: redisRoleUrl.optional(),
    REDIS_PUBSUB_URL: redisRoleUrl.optional(),
    DATABASE_POOL_MAX: int(1, 200).default(10),
    DATABASE_REPLICA_URLS: replicaUrls.optional(),
    REDIS_SENTINELS: hostPorts.optional(),
    REDIS_SENTINEL_NAME: z
      .string()
      .regex(/^[^\s,]{1,128}$/, 'must be a master name as in sentinel.conf (no spaces or commas)')
      .optional(),
    JWT_SECRET: z.string().optional(),
    JWT_ACCESS_TTL: duration.default(15 * 60),
    REFRESH_TTL: duration.default(30 * 86400),
    SESSION_MAX_AGE: duration.default(90 * 86400),
    BCRYPT_ROUNDS: int(4, 15).default(12),
    RATE_LIMIT_POINTS: int(0, 1_000_000).default(5),
    RATE_LIMIT_DURATION: int(1, 86400).default(1),
    AUTH_RATE_LIMIT_POINTS: int(1, 1_000_000).default(10),
    AUTH_RATE_LIMIT_DURATION: int(1, 86400).default(300),
    FANOUT_CELEBRITY_THRESHOLD: int(1, 1_000_000_000).default(10_000),
    TIMELINE_MAX_LENGTH: int(20, 100_000).default(800),
    ACCOUNT_DELETION_BATCH: int(1, 10_000).default(500),
    OUTBOX_MAX_ATTEMPTS: int(1, 100).default(12),
    SMTP_URL: url(['smtp:', 'smtps:']).optional(),
    MAIL_FROM: z.string().min(3).default('Chirp <no-reply@chirp.localhost>'),
    PUBLIC_URL: url(['http:', 'https:']).default('http://localhost:3000'),
    API_INSTANCES: int(1, 256).default(Math.max(1, os.availableParallelism())),
    WORKER_INSTANCES: int(1, 256).default(1),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    TRUST_PROXY: proxyHops.default(0),
    METRICS_TOKEN: z
      .string()
      .regex(/^[\x21-\x7e]{16,256}$/, 'must be 16-256 printable characters without spaces')
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.REDIS_SENTINEL_NAME !== undefined && env.REDIS_SENTINELS === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_SENTINEL_NAME'],
        message: 'is only used with REDIS_SENTINELS, which is not set',
      });
    }
    if (env.NODE_ENV === 'development' || env.NODE_ENV === 'test') return;
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message:
          'is required when NODE_ENV=production: set it to at least 32 random bytes ' +
          '(openssl rand -hex 32), or unset NODE_ENV to use the secret Chirp keeps in MySQL',
      });
    } else if (env.JWT_SECRET !== undefined && Buffer.byteLength(env.JWT_SECRET) < 32) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'must be at least 32 bytes outside NODE_ENV=development or test',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;
