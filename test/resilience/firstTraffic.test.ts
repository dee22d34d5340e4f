import { expect } from 'chai';
import type Redis from 'ioredis';
import { createRedis, sealScripts } from '../../app/infra/redis';
import {
  type Member,
  type OwnChirp,
  call,
  eventually,
  expectCall,
  homeTimeline,
  ownRedisClient,
  signUp,
  startOwnChirp,
} from './support';

/**
 * The load test found API nodes crashing on their first write under load, and again after
 * every restart. Bull's scripts were defined on the main, auto-pipelined connection when the
 * first job was queued; while a pipeline was in flight, the next one had already been made
 * without them, and the job's command broke it (ioredis then threw from its own callback).
 * Holding the node's Redis with CLIENT PAUSE (a server of the test's own) puts a pipeline in
 * flight at the moment of the first enqueue every time.
 */
describe('An API node whose first job is queued while Redis commands are in flight', function () {
  this.timeout(60_000);
  let chirp: OwnChirp;
  let admin: Redis;
  let author: Member;

  before(async function () {
    this.timeout(45_000);
    // No rate limit: the write must reach its commit without a Redis command of its own.
    chirp = await startOwnChirp({ env: { RATE_LIMIT_POINTS: '0' } });
    admin = ownRedisClient(chirp.redis);
    author = await signUp(chirp); // registering queues no job
  });

  after(async () => {
    admin?.disconnect();
    await chirp?.stop();
  });

  it('answers the reads around it, queues the job and stays up', async () => {
    await expectCall(chirp, 200, 'GET', '/tweets', { token: author.accessToken });
    await admin.call('CLIENT', 'PAUSE', '800', 'ALL');
    const reads = [1, 2, 3].map(() => call(chirp, 'GET', '/tweets', { token: author.accessToken }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const posted = await call(chirp, 'POST', '/tweets', {
      token: author.accessToken,
      body: { content: 'first job of this node' },
    });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
    expect((await Promise.all(reads)).map((answer) => answer.status)).to.deep.equal([
      200, 200, 200,
    ]);
    await expectCall(chirp, 200, 'GET', '/tweets', { token: author.accessToken });
    expect(chirp.api.child.exitCode, chirp.api.output()).to.equal(null);
    // The fan-out job went through: the tweet reaches its author's home timeline.
    await eventually(
      async () => (await homeTimeline(chirp, author)).some((t) => t.id === posted.body.id),
      Boolean,
      'the tweet in its author’s home timeline',
    );
    expect(chirp.api.output()).not.to.match(/is not a function|is not iterable/);
  });
});

/**
 * The same holds for the rate limiter's script: its first request must not define it on a
 * connection that already has a pipeline waiting.
 */
describe('An API node whose first limited request comes while Redis commands are in flight', function () {
  this.timeout(60_000);
  let chirp: OwnChirp;
  let admin: Redis;

  before(async function () {
    this.timeout(45_000);
    chirp = await startOwnChirp();
    admin = ownRedisClient(chirp.redis);
  });

  after(async () => {
    admin?.disconnect();
    await chirp?.stop();
  });

  it('answers it once Redis answers, and stays up', async () => {
    await admin.call('CLIENT', 'PAUSE', '800', 'ALL');
    // Readiness probes are not limited: their PINGs are what is in flight.
    const probes = [1, 2].map(() => call(chirp, 'GET', '/readyz'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const login = await call(chirp, 'POST', '/auth/login', {
      body: { username: 'nobody_here', password: 'not a password at all' },
    });
    expect(login.status, JSON.stringify(login.body)).to.equal(401);
    await Promise.all(probes);
    await expectCall(chirp, 200, 'GET', '/readyz');
    expect(chirp.api.child.exitCode, chirp.api.output()).to.equal(null);
  });
});

describe('A Lua command defined on a connection that already serves', () => {
  it('is refused where it is defined, naming the command and the connection', () => {
    const client = createRedis({ name: 'sealed-test', enableAutoPipelining: true });
    try {
      sealScripts(client);
      expect(() =>
        client.defineCommand('lateScript', { numberOfKeys: 0, lua: 'return 1' }),
      ).to.throw(/Lua command lateScript defined on chirp:sealed-test after it started serving/);
    } finally {
      client.disconnect();
    }
  });
});
