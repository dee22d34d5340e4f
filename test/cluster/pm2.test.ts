import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { buildDist } from '../helpers/build';
import { bearer, uniqueHandle } from '../helpers/http';
import { metricsAuth } from '../helpers/metrics';
import { freePort } from '../helpers/processes';
import { type Client, closeAllSockets, connect } from '../realtime/sockets';

const ROOT = path.resolve(__dirname, '../..');

/** Deadlines for things that must happen, never measurements. */
const STARTUP_DEADLINE_MS = 40_000;
const STOP_DEADLINE_MS = 20_000; // PM2 gives each process kill_timeout (10 s) before SIGKILL

const FOLLOWERS = 6;
const TWEETS = 4;

/** Resolves with the first defined value `check` gives, polling until the deadline. */
async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  describeState: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms\n${describeState()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * `npm start`'s last step, in the foreground: pm2-runtime with the ecosystem file, its own
 * PM2_HOME (never ~/.pm2) and the suite's MySQL database and Redis logical database.
 */
class Pm2Runtime {
  private log = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly home: string,
    readonly url: string,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(env: Record<string, string>): Promise<Pm2Runtime> {
    const port = await freePort();
    const home = mkdtempSync(path.join(os.tmpdir(), 'chirp-pm2-'));
    const child = spawn(
      path.join(ROOT, 'node_modules/.bin/pm2-runtime'),
      ['start', 'ecosystem.config.js'],
      {
        cwd: ROOT,
        env: { ...process.env, ...env, PORT: String(port), PM2_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return new Pm2Runtime(child, home, `http://127.0.0.1:${port}`);
  }

  output(): string {
    return this.log;
  }

  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The `api` instances PM2 reported online (by PM2 id). */
  onlineApiInstances(): Set<string> {
    return new Set([...this.log.matchAll(/App \[api:(\d+)\] online/g)].map((m) => m[1]));
  }

  /**
   * Every live process of this PM2 (pm2-runtime, its apps, anything they started): they all
   * carry this PM2_HOME in their environment, which no other process has.
   */
  processes(): number[] {
    const marker = `\0PM2_HOME=${this.home}\0`;
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const environ = `\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`;
        const state = /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${entry}/stat`, 'latin1'));
        if (environ.includes(marker) && state?.[1] !== 'Z') pids.push(Number(entry));
      } catch {
        // Gone meanwhile, or not ours to read.
      }
    }
    return pids;
  }
}

/** A signed-in user of the cluster, with a WebSocket client once connected. */
interface Member {
  id: string;
  accessToken: string;
  client?: Client;
}

describe('PM2 cluster (npm start, API_INSTANCES=2)', function () {
  this.timeout(30_000);

  let pm2: Pm2Runtime | undefined;
  let author: Member;
  let followers: Member[] = [];

  /** A request on a connection of its own: cluster mode hands each one to the next process. */
  const request = () => supertest(pm2!.url);
  const members = (): Member[] => [author, ...followers];

  async function register(prefix: string): Promise<Member> {
    const response = await request()
      .post('/auth/register')
      .set('Connection', 'close')
      .send({ ...uniqueHandle(prefix), password: 'correct horse battery' });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    return { id: response.body.user.id, accessToken: response.body.accessToken };
  }

  /** The connected-socket gauge of whichever api process answers a fresh connection. */
  async function connectedSocketsOfOneProcess(): Promise<number> {
    const response = await request().get('/metrics').set(metricsAuth()).set('Connection', 'close');
    expect(response.status).to.equal(200);
    const match = /^chirp_realtime_connected_sockets (\d+)$/m.exec(response.text);
    expect(match, 'chirp_realtime_connected_sockets in /metrics').to.not.equal(null);
    return Number(match![1]);
  }

  async function stop(runtime: Pm2Runtime): Promise<number | null> {
    if (runtime.running()) runtime.child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), STOP_DEADLINE_MS);
    });
    const code = await Promise.race([runtime.exited, deadline]);
    clearTimeout(timer);
    if (code === 'deadline')
      throw new Error(`pm2-runtime still running ${STOP_DEADLINE_MS} ms after SIGINT`);
    return code;
  }

  before(async function () {
    this.timeout(180_000);
    // `npm start` runs the build first; PM2 then starts the compiled entry points.
    buildDist(150_000);

    // The suite's stores (test/setup.ts migrated the database); no rate limit in the way.
    pm2 = await Pm2Runtime.start({
      NODE_ENV: 'test',
      DATABASE_URL: process.env.DATABASE_URL!,
      REDIS_URL: process.env.REDIS_URL!,
      API_INSTANCES: '2',
      WORKER_INSTANCES: '1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_POINTS: '100000',
      AUTH_RATE_LIMIT_POINTS: '100000',
    });
    const runtime = pm2;
    await until(
      'both api instances online and /readyz answering 200',
      async () => {
        if (!runtime.running()) throw new Error(`pm2-runtime exited:\n${runtime.output()}`);
        if (runtime.onlineApiInstances().size < 2) return undefined;
        const ready = await request()
          .get('/readyz')
          .set('Connection', 'close')
          .then((r) => r.status === 200)
          .catch(() => false);
        return ready || undefined;
      },
      STARTUP_DEADLINE_MS,
      () => runtime.output(),
    );

    author = await register('pa');
    for (let i = 0; i < FOLLOWERS; i += 1) {
      const follower = await register('pf');
      const follow = await request()
        .post(`/users/${author.id}/follow`)
        .set('Connection', 'close')
        .set(bearer(follower.accessToken));
      expect(follow.status, JSON.stringify(follow.body)).to.equal(200);
      followers.push(follower);
    }
    // One at a time: each handshake (WebSocket transport only, as PM2 cluster mode requires)
    // is a new connection, handed to the next api process.
    for (const member of members()) member.client = await connect(pm2.url, member.accessToken);
  });

  after(async function () {
    this.timeout(STOP_DEADLINE_MS + 10_000);
    closeAllSockets();
    followers = [];
    if (!pm2) return;
    const runtime = pm2;
    pm2 = undefined;
    try {
      if (runtime.running()) await stop(runtime);
    } finally {
      // Whatever outlived a failed stop is ours (our PM2_HOME): end it by pid.
      for (const pid of runtime.processes()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Exited meanwhile.
        }
      }
      rmSync(runtime.home, { recursive: true, force: true });
    }
  });

  it('runs two api processes, and WebSocket clients land on both', async () => {
    expect([...pm2!.onlineApiInstances()]).to.have.lengthOf(2);
    const total = members().length;
    // Each scrape is answered by one process with its own gauge. With `total` sockets on
    // two processes, a count strictly between 0 and `total` on either means the other holds
    // the rest; two different counts seen must add up to `total`.
    const counts = new Set<number>();
    for (let i = 0; i < 8; i += 1) counts.add(await connectedSocketsOfOneProcess());
    for (const count of counts)
      expect(count, `sockets on one process of ${total}`).to.be.within(1, total - 1);
    expect(counts.size, `distinct counts ${[...counts].join(', ')}`).to.be.at.most(2);
    if (counts.size === 2) expect([...counts].reduce((a, b) => a + b)).to.equal(total);
  });

  it('delivers every tweet:new to every follower, whichever process served the post or holds the socket', async () => {
    const tweetIds: string[] = [];
    for (let i = 0; i < TWEETS; i += 1) {
      const response = await request()
        .post('/tweets')
        .set('Connection', 'close')
        .set(bearer(author.accessToken))
        .send({ content: `cluster tweet ${i}` });
      expect(response.status, JSON.stringify(response.body)).to.equal(201);
      tweetIds.push(response.body.id);
    }

    await Promise.all(
      members().flatMap((member) =>
        tweetIds.map(async (id) => {
          const { tweet } = await member.client!.next('tweet:new', (p) => p.tweet.id === id);
          expect(tweet.id).to.equal(id);
        }),
      ),
    );
  });

  it('delivers a like notification to the author, whichever process served the like', async () => {
    const posted = await request()
      .post('/tweets')
      .set('Connection', 'close')
      .set(bearer(author.accessToken))
      .send({ content: 'like me from any process' });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
    const tweetId: string = posted.body.id;
    // Consecutive likes on fresh connections: round robin puts them on both processes.
    const likers = followers.slice(0, 2);
    for (const liker of likers) {
      const like = await request()
        .post(`/tweets/${tweetId}/like`)
        .set('Connection', 'close')
        .set(bearer(liker.accessToken));
      expect(like.status, JSON.stringify(like.body)).to.equal(200);
    }

    for (const liker of likers) {
      const { notification } = await author.client!.next(
        'notification',
        (p) => p.notification.type === 'like' && p.notification.actor.id === liker.id,
      );
      expect(notification.tweet?.id).to.equal(tweetId);
    }
  });

  it('stops on SIGINT with exit code 0, leaving no PM2 process behind', async () => {
    const runtime = pm2!;
    closeAllSockets();
    expect(runtime.processes().length, 'pm2-runtime, 2 api, 1 worker').to.equal(4);

    const code = await stop(runtime);
    expect(code, runtime.output()).to.equal(0);
    // Its apps went down before it exited; give the kernel a moment to reap them.
    await until(
      'every process of this PM2 gone',
      () => runtime.processes().length === 0 || undefined,
      5_000,
      () => `still running: ${runtime.processes().join(', ')}`,
    );
  });
});
