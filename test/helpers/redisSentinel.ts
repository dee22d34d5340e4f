import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from './poll';
import { freePort } from './processes';
import { killChild, spawnRedis, withRedis } from './redisProcess';

/** The master name the sentinels monitor (REDIS_SENTINEL_NAME of the processes). */
export const SENTINEL_MASTER = 'chirp';

interface Server {
  port: number;
  child: ChildProcess;
}

/**
 * A Redis Sentinel deployment of a test's own on loopback: a master, one replica of it and
 * three sentinels (quorum 2), each in its own directory of one temporary directory. The
 * sentinels call the master down after a second without answers and fail over quickly, so
 * a test can kill the master and watch the replica take over.
 */
export class SentinelCluster {
  private constructor(
    private readonly dir: string,
    readonly master: Server,
    readonly replica: Server,
    readonly sentinels: Server[],
  ) {}

  /** `REDIS_SENTINELS` for Chirp's processes. */
  get sentinelList(): string {
    return this.sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',');
  }

  static async start(): Promise<SentinelCluster> {
    const dir = await mkdtemp(path.join(tmpdir(), 'chirp-sentinel-'));
    const [masterPort, replicaPort, ...sentinelPorts] = await Promise.all(
      Array.from({ length: 5 }, () => freePort()),
    );
    const master = await startRedis(dir, masterPort, []);
    const replica = await startRedis(dir, replicaPort, [
      '--replicaof',
      '127.0.0.1',
      String(masterPort),
    ]);
    const sentinels: Server[] = [];
    for (const port of sentinelPorts) {
      // A sentinel rewrites its config file as it learns: each one needs a file of its own.
      const file = path.join(dir, `sentinel-${port}.conf`);
      await writeFile(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
          `sentinel failover-timeout ${SENTINEL_MASTER} 3000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push({ port, child: await spawnRedis(port, [file, '--sentinel']) });
    }
    const cluster = new SentinelCluster(dir, master, replica, sentinels);
    // Ready once the replica is in sync and every sentinel knows of it: a failover needs both.
    await eventually(() => cluster.replicaLinkUp(), Boolean, 'the replica in sync with the master');
    await eventually(
      () =>
        Promise.all(
          sentinels.map((sentinel) =>
            withRedis(sentinel.port, (client) =>
              client.call('SENTINEL', 'REPLICAS', SENTINEL_MASTER),
            ),
          ),
        ),
      (answers) => answers.every((replicas) => Array.isArray(replicas) && replicas.length === 1),
      'every sentinel seeing the replica',
    );
    return cluster;
  }

  /** The port of the master the sentinels name now. */
  async currentMasterPort(): Promise<number> {
    const answer = await withRedis(this.sentinels[0].port, (client) =>
      client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER),
    );
    return Number((answer as string[])[1]);
  }

  /** Kills the master at once, as a crash would (no last write to disk, no goodbye). */
  async killMaster(): Promise<void> {
    await killChild(this.master.child);
  }

  async stop(): Promise<void> {
    await Promise.all(
      [this.master, this.replica, ...this.sentinels].map((server) => killChild(server.child)),
    );
    await rm(this.dir, { recursive: true, force: true });
  }

  private async replicaLinkUp(): Promise<boolean> {
    const info = await withRedis(this.replica.port, (client) => client.info('replication'));
    return /master_link_status:up/.test(info);
  }
}

async function startRedis(dir: string, port: number, extra: string[]): Promise<Server> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
  args.push('--dbfilename', `dump-${port}.rdb`, '--save', '', '--appendonly', 'no', ...extra);
  return { port, child: await spawnRedis(port, args) };
}
