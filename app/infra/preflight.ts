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

async function sentinelsProblem(
  sentinels: { host: string; port: number }[],
  timeoutMs: number,
): Promise<string | null> {
  const problems = await Promise.all(
    sentinels.map(({ host, port }) => canConnect(host, port, timeoutMs)),
  );
  if (problems.some((problem) => problem === null)) return null;
  const where = sentinels.map(({ host, port }, i) => `${host}:${port} (${problems[i]})`);
  return `No Redis Sentinel is answering at ${where.join(', ')} (from REDIS_SENTINELS).`;
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
  const problems = await Promise.all(
    services.map(async (service) => {
      if (service.key === 'redis' && sentinels) return sentinelsProblem(sentinels, timeoutMs);
      const problem = await canConnect(service.host, service.port, timeoutMs);
      if (!problem) return null;
      return (
        `${service.name} is not answering at ${service.host}:${service.port} ` +
        `(from ${service.variable}; ${problem}). ${HOW_TO_START[service.key]}`
      );
    }),
  );
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
