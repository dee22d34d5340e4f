import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './poll';
import { killChild, spawnRedis, withRedis } from './redisProcess';

const run = promisify(execFile);

/** Ports of the cluster's nodes unless a test asks for others (buses are port + 10000). */
export const CLUSTER_BASE_PORT = 7101;
const SLOTS = 16384;
/**
 * A master unanswered this long is failed by the others and its replica elected: short, so
 * a test's SIGKILL is followed within a few seconds, not Redis's default 15.
 */
const NODE_TIMEOUT_MS = 1000;
/** How long a topology change (creation, failover, restart) may take to settle everywhere. */
const SETTLE_MS = 30_000;

interface Member {
  port: number;
  child: ChildProcess;
}

/** One line of CLUSTER NODES, as one node sees the cluster. */
interface NodeView {
  id: string;
  port: number;
  master: boolean;
  /** The master's id, for a replica. */
  masterId: string | null;
  /** Flagged FAIL (or PFAIL) by the node answering. */
  failing: boolean;
  /** Slot ranges served, `[first, last]`. */
  slots: [number, number][];
}

/** What a failover took: the shard's new master and the time until every node agreed. */
export interface Failover {
  oldMaster: number;
  newMaster: number;
  /** From the command or the kill until every live node served the slots from the new master. */
  settledMs: number;
}

/**
 * A Redis Cluster of a test's own on loopback: 3 masters and a replica of each by default,
 * each `redis-server` a child process with its own directory (nodes.conf) under one
 * temporary directory, without persistence. `url` is the `redis+cluster://` seed list that
 * REDIS_CACHE_URL or REDIS_PUBSUB_URL take. Failovers: `failover()` (CLUSTER FAILOVER on a
 * replica: the planned kind) and `killMaster()` (SIGKILL: a crash, noticed after the node
 * timeout); `restart()` brings a killed node back, as a replica of its shard's new master.
 */
export class RedisCluster {
  private constructor(
    private readonly dir: string,
    private readonly members: Map<number, Member>,
  ) {}

  /** Starts `masters` masters with `replicas` replicas each on ports from `basePort`. */
  static async start({
    basePort = CLUSTER_BASE_PORT,
    masters = 3,
    replicas = 1,
  }: { basePort?: number; masters?: number; replicas?: number } = {}): Promise<RedisCluster> {
    const ports = Array.from({ length: masters * (1 + replicas) }, (_, i) => basePort + i);
    for (const port of ports) await assertFree(port);
    const dir = await mkdtemp(path.join(tmpdir(), 'chirp-cluster-'));
    const cluster = new RedisCluster(dir, new Map());
    try {
      for (const port of ports) await cluster.spawn(port);
      await run(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...ports.map((port) => `127.0.0.1:${port}`),
          '--cluster-replicas',
          String(replicas),
          '--cluster-yes',
        ],
        { timeout: SETTLE_MS },
      );
      await cluster.settled('the new cluster', masters, replicas);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Every node as a seed (any one that answers will do for a client). */
  get url(): string {
    return `redis+cluster://${this.ports.map((port) => `127.0.0.1:${port}`).join(',')}`;
  }

  get ports(): number[] {
    return [...this.members.keys()];
  }

  /** The ports of the nodes now running. */
  get livePorts(): number[] {
    return [...this.members.values()].filter((m) => isRunning(m.child)).map((m) => m.port);
  }

  /** The slot a key or a sharded pub/sub channel hashes to. */
  async slotOf(keyOrChannel: string): Promise<number> {
    return Number(
      await withRedis(this.livePorts[0], (client) =>
        client.call('CLUSTER', 'KEYSLOT', keyOrChannel),
      ),
    );
  }

  /** The port of the master serving `slot` now. */
  async masterOf(slot: number): Promise<number> {
    const view = await nodesSeenBy(this.livePorts[0]);
    const owner = view.find((node) => node.master && !node.failing && serves(node, slot));
    if (!owner) throw new Error(`no master serves slot ${slot}`);
    return owner.port;
  }

  /**
   * How many connections are SSUBSCRIBEd to a sharded pub/sub channel on the master serving
   * it (PUBSUB SHARDNUMSUB: classic SUBSCRIBE and PSUBSCRIBE are not counted).
   */
  async shardSubscribers(channel: string): Promise<number> {
    const master = await this.masterOf(await this.slotOf(channel));
    const answer = await withRedis(master, (client) =>
      client.call('PUBSUB', 'SHARDNUMSUB', channel),
    );
    return Number((answer as [string, number])[1]);
  }

  /** The ports of the masters serving slots now, lowest first. */
  async masters(): Promise<number[]> {
    const view = await nodesSeenBy(this.livePorts[0]);
    return view
      .filter((node) => node.master && !node.failing && node.slots.length > 0)
      .map((node) => node.port)
      .sort((a, b) => a - b);
  }

  /**
   * A planned failover of `masterPort`'s shard: CLUSTER FAILOVER on its replica, which takes
   * the slots over once it caught up; the old master becomes its replica.
   */
  async failover(masterPort: number): Promise<Failover> {
    const replica = await this.replicaOf(masterPort);
    const started = Date.now();
    await withRedis(replica, (client) => client.call('CLUSTER', 'FAILOVER'));
    await this.servedBy(replica, masterPort);
    return { oldMaster: masterPort, newMaster: replica, settledMs: Date.now() - started };
  }

  /**
   * Kills `masterPort` with SIGKILL (a crash) and waits until its replica was elected and
   * every live node serves the shard's slots from it.
   */
  async killMaster(masterPort: number): Promise<Failover> {
    const replica = await this.replicaOf(masterPort);
    const started = Date.now();
    await killChild(this.member(masterPort).child);
    await this.servedBy(replica, masterPort);
    return { oldMaster: masterPort, newMaster: replica, settledMs: Date.now() - started };
  }

  /** Starts a killed node again: it rejoins from its nodes.conf as a replica of its shard. */
  async restart(port: number): Promise<void> {
    if (isRunning(this.member(port).child)) throw new Error(`node ${port} is running`);
    await this.spawn(port);
    await eventually(
      () => withRedis(port, (client) => client.info('replication')),
      (info) => /role:slave/.test(info) && /master_link_status:up/.test(info),
      `node ${port} back as an in-sync replica`,
      SETTLE_MS,
    );
  }

  /** Kills every node and removes the cluster's files. */
  async stop(): Promise<void> {
    await Promise.all([...this.members.values()].map((member) => killChild(member.child)));
    await rm(this.dir, { recursive: true, force: true });
  }

  private member(port: number): Member {
    const member = this.members.get(port);
    if (!member) throw new Error(`no node of this cluster on ${port}`);
    return member;
  }

  private async spawn(port: number): Promise<void> {
    const child = await spawnRedis(port, [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
      '--cluster-node-timeout',
      String(NODE_TIMEOUT_MS),
      // A replica may take over however long it has been cut off: a test kills on purpose.
      '--cluster-replica-validity-factor',
      '0',
      '--dbfilename',
      `dump-${port}.rdb`,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ]);
    // A test process that dies without its after hook must not leave nodes on the ports.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    this.members.set(port, { port, child });
  }

  private async replicaOf(masterPort: number): Promise<number> {
    const view = await nodesSeenBy(masterPort);
    const master = view.find((node) => node.port === masterPort);
    const replica = view.find((node) => node.masterId === master?.id && !node.failing);
    if (!master?.master || !replica)
      throw new Error(`${masterPort} is not a master with a replica`);
    return replica.port;
  }

  /** Until every live node says cluster_state:ok and that `newMaster` serves `oldMaster`'s slots. */
  private async servedBy(newMaster: number, oldMaster: number): Promise<void> {
    await eventually(
      () => this.views(),
      (views) =>
        views.every(
          ({ state, nodes }) =>
            state === 'ok' &&
            nodes.some((node) => node.port === newMaster && node.master && node.slots.length > 0) &&
            !nodes.some((node) => node.port === oldMaster && node.master && node.slots.length > 0),
        ),
      `every node serving ${oldMaster}'s slots from ${newMaster}`,
      SETTLE_MS,
    );
  }

  /** Until every node says cluster_state:ok, sees all the others, and every replica is in sync. */
  private async settled(what: string, masters: number, replicas: number): Promise<void> {
    await eventually(
      async () => {
        const views = await this.views();
        const links = await Promise.all(
          this.livePorts.map((port) => withRedis(port, (client) => client.info('replication'))),
        );
        return { views, links };
      },
      ({ views, links }) =>
        views.every(
          ({ state, nodes }) =>
            state === 'ok' &&
            nodes.length === masters * (1 + replicas) &&
            nodes.filter((node) => node.master).length === masters &&
            coveredSlots(nodes) === SLOTS,
        ) && links.every((info) => /role:master/.test(info) || /master_link_status:up/.test(info)),
      what,
      SETTLE_MS,
    );
  }

  private async views(): Promise<{ port: number; state: string; nodes: NodeView[] }[]> {
    return Promise.all(
      this.livePorts.map(async (port) => {
        const info = String(await withRedis(port, (client) => client.call('CLUSTER', 'INFO')));
        return {
          port,
          state: /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown',
          nodes: await nodesSeenBy(port),
        };
      }),
    );
  }
}

async function nodesSeenBy(port: number): Promise<NodeView[]> {
  const text = String(await withRedis(port, (client) => client.call('CLUSTER', 'NODES')));
  return text
    .trim()
    .split('\n')
    .map((line) => {
      // <id> <ip:port@cport> <flags> <master> <ping-sent> <pong-recv> <epoch> <link> <slot>...
      const [id, address, flags, masterId, , , , , ...slots] = line.split(' ');
      const flagSet = new Set(flags.split(','));
      return {
        id,
        port: Number(/:(\d+)@/.exec(address)?.[1]),
        master: flagSet.has('master'),
        masterId: masterId === '-' ? null : masterId,
        failing: flagSet.has('fail') || flagSet.has('fail?'),
        slots: slots
          .filter((slot) => !slot.startsWith('['))
          .map((slot) => {
            const [first, last = first] = slot.split('-').map(Number);
            return [first, last] as [number, number];
          }),
      };
    });
}

const serves = (node: NodeView, slot: number): boolean =>
  node.slots.some(([first, last]) => slot >= first && slot <= last);

const coveredSlots = (nodes: NodeView[]): number =>
  nodes
    .filter((node) => node.master && !node.failing)
    .flatMap((node) => node.slots)
    .reduce((sum, [first, last]) => sum + last - first + 1, 0);

const isRunning = (child: ChildProcess): boolean =>
  child.exitCode === null && child.signalCode === null;

/** Fails at once, naming the port, when a node or its bus port is taken (say by a leftover). */
async function assertFree(port: number): Promise<void> {
  for (const candidate of [port, port + 10_000]) {
    await new Promise<void>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', () =>
        reject(new Error(`port ${candidate} is in use: a Redis Cluster node needs it`)),
      );
      server.listen(candidate, '127.0.0.1', () => server.close(() => resolve()));
    });
  }
}
