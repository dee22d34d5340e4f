import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import Redis from 'ioredis';
import { freePort } from './processes';

/**
 * A Redis server of the test's own, on its own port, that the test may stop and start to
 * show what Chirp does while Redis is away (the shared one is never touched).
 */
export class OwnRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  static async create(): Promise<OwnRedis> {
    return new OwnRedis(await freePort());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const probe = new Redis(this.port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined); // refused until the server is up: expected here
    for (let attempt = 0; attempt < 100; attempt += 1) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error(`redis-server did not start on ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    this.child = undefined;
  }
}

/**
 * A TCP relay in front of a real server. Closing it cuts every connection and refuses new
 * ones, as a server that went away would; opening it again restores the path.
 */
export class TcpRelay {
  private server: net.Server | undefined;
  private sockets = new Set<net.Socket>();
  private upstreams = new Set<net.Socket>();
  /** While set, a new connection is closed at once; the relayed ones go on. */
  refusingNew = false;
  /**
   * While set, called with each chunk a client sends before the target gets it (the chunk
   * waits until it resolves, and so does all that follows): a test acts between commands.
   */
  beforeToTarget: ((chunk: Buffer) => Promise<void> | void) | null = null;
  /**
   * While set, what the target sends reaches the client `ms` late, in order: on every
   * connection, or only on the one whose upstream has local port `upstreamPort`.
   */
  delayToClient: { ms: number; upstreamPort?: number } | null = null;
  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async create(target: { host: string; port: number }): Promise<TcpRelay> {
    return new TcpRelay(await freePort(), target);
  }

  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      if (this.refusingNew) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.target);
      this.upstreams.add(upstream);
      upstream.on('close', () => this.upstreams.delete(upstream));
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      // What the client sends goes on in order, each chunk after beforeToTarget is done.
      let sending: Promise<void> | null = null;
      client.on('data', (chunk: Buffer) => {
        const hook = this.beforeToTarget;
        if (!hook && !sending) {
          upstream.write(chunk);
          return;
        }
        client.pause();
        const sent: Promise<void> = (sending ?? Promise.resolve())
          .then(() => hook?.(chunk))
          .then(() => {
            upstream.write(chunk);
          })
          .finally(() => {
            if (sending === sent) sending = null;
            client.resume();
          });
        sending = sent;
      });
      client.on('end', () => void (sending ?? Promise.resolve()).then(() => upstream.end()));
      // What the target sends goes on after its delay, never before what came earlier.
      const queue: { at: number; send: () => void }[] = [];
      let timer: NodeJS.Timeout | undefined;
      const pump = () => {
        timer = undefined;
        while (queue.length > 0 && queue[0].at <= Date.now()) queue.shift()!.send();
        if (queue.length > 0) timer = setTimeout(pump, queue[0].at - Date.now());
      };
      const toClient = (send: () => void) => {
        const delay = this.delayToClient;
        const ms =
          delay && (delay.upstreamPort ?? upstream.localPort) === upstream.localPort ? delay.ms : 0;
        if (queue.length === 0 && ms <= 0) return send();
        const last = queue.at(-1)?.at ?? 0;
        queue.push({ at: Math.max(last, Date.now() + ms), send });
        timer ??= setTimeout(pump, queue[0].at - Date.now());
      };
      upstream.on('data', (chunk: Buffer) => toClient(() => client.write(chunk)));
      upstream.on('end', () => toClient(() => client.end()));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  /** The local ports of the relay's connections to the target (how the target sees them). */
  upstreamPorts(): number[] {
    return [...this.upstreams]
      .map((socket) => socket.localPort)
      .filter((port) => port !== undefined);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
