import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { eventually } from '../helpers/poll';

/**
 * A redis-server of a test's own on a loopback port (6421-6429 are this tier's), with no
 * persistence unless `args` asks for it, in a temporary directory removed at stop.
 */
export class OwnRedis {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
    /** A connection to it for the test's own inspection. */
    readonly client: Redis,
  ) {}

  /** `redis://127.0.0.1:<port>/<db>`, for REDIS_CACHE_URL or REDIS_PUBSUB_URL. */
  url(db = 0): string {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  static async start(port: number, args: string[] = []): Promise<OwnRedis> {
    const dir = await mkdtemp(path.join(tmpdir(), `chirp-redis-${port}-`));
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...args],
      { stdio: 'ignore' },
    );
    const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined); // until it answers
    // The server answering must be this one: a leftover on the port would hold stale keys.
    await eventually(
      () => client.info('server').catch(() => ''),
      (info) => info.includes(`process_id:${child.pid}\r`) || child.exitCode !== null,
      `redis-server on ${port}`,
    );
    if (child.exitCode !== null) {
      client.disconnect();
      await rm(dir, { recursive: true, force: true });
      throw new Error(`redis-server on ${port} exited with ${child.exitCode}: is the port taken?`);
    }
    return new OwnRedis(port, child, dir, client);
  }

  /** One `INFO <section>` field as a number. */
  async info(section: string, field: string): Promise<number> {
    const text = await this.client.info(section);
    const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(text);
    if (!match) throw new Error(`no ${field} in INFO ${section}`);
    return Number(match[1]);
  }

  async stop(): Promise<void> {
    this.client.disconnect();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await new Promise<void>((resolve) => {
        this.child.once('exit', () => resolve());
        this.child.kill('SIGKILL');
      });
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
