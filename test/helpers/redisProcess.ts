import { type ChildProcess, spawn } from 'node:child_process';
import Redis from 'ioredis';

/**
 * Starts `redis-server` (or `redis-server <config> --sentinel`) with `args` as a child of the
 * test and resolves once it answers PING on `port`.
 */
export async function spawnRedis(port: number, args: string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      await withRedis(port, (client) => client.ping());
      return child;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server ${args.join(' ')} did not answer on ${port}`);
}

/** One command on a short-lived direct connection that fails at once instead of retrying. */
export async function withRedis<T>(port: number, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // a refused connection is answered by the rejection below
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** SIGKILLs a child (a crash: no last write, no goodbye) and resolves once it is gone. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
