import net from 'node:net';
import { config } from '../../config';

const HOW_TO_START = {
  mysql:
    'Start it (Debian: `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`, ' +
    'or `sudo systemctl start mysql`), or point DATABASE_URL at a running server.',
  redis:
    'Start it (`redis-server --daemonize yes --bind 127.0.0.1 --port 6379`, ' +
    'or `sudo systemctl start redis-server`), or point REDIS_URL at a running server.',
};

/** host:port a URL points at, with the protocol's default port. */
export function endpointOf(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port) || defaultPort };
}

function canConnect(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (problem: string | null) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done('timed out'));
    socket.once('connect', () => done(null));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

/** Null when one of `nodes` accepts a connection, else each `host:port (problem)`. */
async function noneAnswering(
  nodes: { host: string; port: number }[],
  timeoutMs: number,
): Promise<string | null> {
  const problems = await Promise.all(
    nodes.map(({ host, port }) => canConnect(host, port, timeoutMs)),
  );
  if (problems.some((problem) => problem === null)) return null;
  return nodes.map(({ host, port }, i) => `${host}:${port} (${problems[i]})`).join(', ');
}

async function sentinelsProblem(
  sentinels: { host: string; port: number }[],
  timeoutMs: number,
): Promise<string | null> {
  const where = await noneAnswering(sentinels, timeoutMs);
  return where && `No Redis Sentinel is answering at ${where} (from REDIS_SENTINELS).`;
}

/** The cache and pub/sub roles' own servers (or a cluster's seeds: one answering is enough). */
function redisRoleProblems(timeoutMs: number): Promise<string | null>[] {
  const roles = [
    { role: 'cache', variable: 'REDIS_CACHE_URL' },
    { role: 'pubsub', variable: 'REDIS_PUBSUB_URL' },
  ] as const;
  return roles.map(async ({ role, variable }) => {
    const endpoint = config.redis[role];
    if (endpoint === config.redis.main) return null; // checked as REDIS_URL
    const nodes = endpoint.kind === 'cluster' ? endpoint.nodes : [endpointOf(endpoint.url, 6379)];
    const where = await noneAnswering(nodes, timeoutMs);
    return (
      where &&
      `Redis is not answering at ${where} (from ${variable}). Start it, or point ${variable} ` +
        'at a running server (unset, it is REDIS_URL).'
    );
  });
}

/**
 * Checks that MySQL and Redis accept connections and returns one sentence per service that
 * does not: which one, where it was looked for, and how to start it.
 */
export async function preflight(timeoutMs = 3000): Promise<string[]> {
  const services = [
    {
      name: 'MySQL',
      key: 'mysql' as const,
      variable: 'DATABASE_URL',
      ...endpointOf(config.databaseUrl, 3306),
    },
    {
      name: 'Redis',
      key: 'redis' as const,
      variable: 'REDIS_URL',
      ...endpointOf(config.redisUrl, 6379),
    },
  ];
  // With Sentinel, REDIS_URL's host is not used: one sentinel answering is enough to start,
  // it names the master.
  const sentinels = config.redisSentinel?.sentinels;
  const problems = await Promise.all([
    ...services.map(async (service) => {
      if (service.key === 'redis' && sentinels) return sentinelsProblem(sentinels, timeoutMs);
      const problem = await canConnect(service.host, service.port, timeoutMs);
      if (!problem) return null;
      return (
        `${service.name} is not answering at ${service.host}:${service.port} ` +
        `(from ${service.variable}; ${problem}). ${HOW_TO_START[service.key]}`
      );
    }),
    ...redisRoleProblems(timeoutMs),
  ]);
  return problems.filter((p): p is string => p !== null);
}

/**
 * Stops the process with a readable sentence on stderr (whatever LOG_LEVEL says) when MySQL
 * or Redis does not answer: a newcomer's first error should be a sentence, not a stack.
 */
export async function exitUnlessServicesAnswer(): Promise<void> {
  const problems = await preflight();
  if (problems.length === 0) return;
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  process.exit(69); // EX_UNAVAILABLE
}
