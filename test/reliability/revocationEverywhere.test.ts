import { expect } from 'chai';
import type Redis from 'ioredis';
import { hashToken, newOpaqueToken } from '../../app/auth/tokens';
import { QueryTypes } from 'sequelize';
import { PasswordReset, sequelize } from '../../models';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import { type RunningProcess, startProcess } from '../helpers/processes';
import { OwnRedis, TcpRelay } from '../helpers/services';
import {
  type Member,
  call,
  eventually,
  expectCall,
  ownRedisClient,
  signIn,
  signUp,
  waitForReadiness,
} from '../resilience/support';

/** An API node of this test, named in assertion messages. */
type Node = ApiNode & { name: string };

async function startNamedNode(name: string, redisUrl: string): Promise<Node> {
  const node = await startApiNode({ REDIS_URL: redisUrl, LOG_LEVEL: 'warn' });
  return { ...node, name };
}

/** Whether the worker has finished a cache-repair job (Bull keeps completed jobs' ids). */
async function repairDone(redis: Redis): Promise<boolean> {
  const done = await redis.zrange('bull:timeline:completed', 0, -1);
  return done.some((id) => id.startsWith('repair:'));
}

/** A reset link for the member, as the mail would carry it (no mail server in this test). */
async function resetLinkToken(member: Member): Promise<string> {
  const token = newOpaqueToken();
  await PasswordReset.create({
    userId: member.id,
    tokenHash: hashToken(token),
    expiresAt: new Date(Date.now() + 600_000),
  });
  return token;
}

/** Whether Redis says its revocation facts were rebuilt since the last unpublished one. */
async function redisTrustedAgain(redis: Redis): Promise<boolean> {
  const [row] = await sequelize.query<{ epoch: string | null }>(
    'SELECT MAX(id) AS epoch FROM unpublished_revocations',
    { type: QueryTypes.SELECT },
  );
  const redisEpoch = await redis.get('auth:epoch');
  return redisEpoch !== null && Number(redisEpoch) >= Number(row.epoch ?? 0);
}

/**
 * Node A's revocations subscriber, subscribed, as Redis lists it (found by its port on the
 * relay); waits for it while it reconnects.
 */
async function subscriberOfNodeA(
  relay: TcpRelay,
  redis: Redis,
): Promise<{ id: string; upstreamPort: number }> {
  const found = await eventually(
    async () => {
      const ports = relay.upstreamPorts();
      const clients = (await redis.client('LIST')) as string;
      for (const line of clients.split('\n')) {
        if (!/name=chirp:auth-revocations\b.* sub=1 /.test(line)) continue;
        const upstreamPort = ports.find((port) => line.includes(`addr=127.0.0.1:${port} `));
        if (upstreamPort !== undefined) return { id: /\bid=(\d+)/.exec(line)![1], upstreamPort };
      }
      return null;
    },
    (subscriber) => subscriber !== null,
    "node A's revocations subscriber, subscribed",
  );
  return found!;
}

/** Asks every node with the token and expects the same status from each. */
async function expectOnEveryNode(nodes: Node[], status: number, member: Member, when: string) {
  for (const node of nodes) {
    const answer = await call(node, 'GET', '/users/me', { token: member.accessToken });
    expect(answer.status, `node ${node.name}, ${when}`).to.equal(status);
  }
}

/**
 * Two API nodes and a worker on a Redis of the test's own; node A reaches it through a TCP
 * relay the test can cut, B and the worker directly. A logout that A cannot write to Redis,
 * or one Redis forgets by restarting empty, leaves Redis saying the session is live: every
 * node must refuse its access token all the same, from the logout's answer on.
 */
describe('A logged-out session on every API node, through Redis data loss', function () {
  this.timeout(120_000);
  let redisServer: OwnRedis;
  let relay: TcpRelay;
  let redis: Redis;
  let nodeA: Node;
  let nodeB: Node;
  let worker: RunningProcess | undefined;
  let nodes: Node[];

  before(async function () {
    this.timeout(60_000);
    redisServer = await OwnRedis.create();
    await redisServer.start();
    relay = await TcpRelay.create({ host: '127.0.0.1', port: redisServer.port });
    await relay.open();
    redis = ownRedisClient(redisServer);
    const started = await Promise.allSettled([
      startNamedNode('A', `redis://127.0.0.1:${relay.port}/0`),
      startNamedNode('B', redisServer.url),
      startProcess('workers/index.ts', { REDIS_URL: redisServer.url, LOG_LEVEL: 'warn' }),
    ]);
    const [a, b, w] = started.map((result) =>
      result.status === 'fulfilled' ? result.value : null,
    );
    nodeA = a as Node;
    nodeB = b as Node;
    worker = (w as RunningProcess | null) ?? undefined;
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason instanceof Error ? failure.reason : new Error('no start');
    nodes = [nodeA, nodeB];
  });

  after(async () => {
    // Whatever started stops, also after a failed start: a leaked worker would relay the
    // shared test database's outbox into this Redis.
    await Promise.all([nodeA?.stop(), nodeB?.stop(), worker?.stop('SIGKILL')]);
    redis?.disconnect();
    await relay?.close();
    await redisServer?.stop();
  });

  it('refuses a session logged out through a node cut off from Redis, on every node, before and after the repair', async () => {
    const erin = await signUp(nodeB);
    const erinOther = await signIn(nodeB, erin);
    await expectOnEveryNode(nodes, 200, erin, 'before the logout');
    expect(await redis.exists(`auth:tv:${erin.id}`), 'her token version, in Redis').to.equal(1);

    await relay.close();
    await waitForReadiness(nodeA, 503);
    await expectCall(nodeA, 204, 'POST', '/auth/logout', {
      token: erin.accessToken,
      body: { refreshToken: erin.refreshToken },
    });
    // Node B never heard of the logout, and Redis holds the facts it had: a live session.
    await expectOnEveryNode([nodeB, nodeA], 401, erin, 'right after the logout');

    await relay.open();
    await waitForReadiness(nodeA, 200);
    let checks = 0;
    await eventually(
      async () => {
        checks += 1;
        await expectOnEveryNode(nodes, 401, erin, `check ${checks} after Redis returned`);
        return repairDone(redis);
      },
      (done) => done,
      'a repair job finished while the logged-out token stayed refused',
      20_000,
    );
    await expectOnEveryNode(nodes, 401, erin, 'after the repair');
    await expectOnEveryNode(nodes, 200, erinOther, 'her other session, after the repair');
    const fresh = await signIn(nodeA, erin);
    await expectOnEveryNode(nodes, 200, fresh, 'a fresh sign-in, after the repair');
  });

  it('refuses every session of a password reset through a node cut off from Redis, on every node', async () => {
    const gus = await signUp(nodeB);
    const gusOther = await signIn(nodeA, gus);
    await expectOnEveryNode(nodes, 200, gus, 'before the reset');
    const token = await resetLinkToken(gus);

    await relay.close();
    await waitForReadiness(nodeA, 503);
    const password = 'a brand new passphrase';
    await expectCall(nodeA, 204, 'POST', '/auth/reset-password', { body: { token, password } });
    await expectOnEveryNode([nodeB, nodeA], 401, gus, 'right after the reset');
    await expectOnEveryNode([nodeB, nodeA], 401, gusOther, 'his other session, after the reset');

    await relay.open();
    await waitForReadiness(nodeA, 200);
    await expectOnEveryNode(nodes, 401, gus, 'after Redis returned');
    await eventually(
      async () => {
        await expectOnEveryNode(nodes, 401, gusOther, 'his other session, after Redis returned');
        return redisTrustedAgain(redis);
      },
      (trusted) => trusted,
      'Redis told its revocation facts are complete again',
    );
    await expectOnEveryNode(nodes, 401, gus, 'once Redis is trusted again');
    const fresh = await signIn(nodeB, { ...gus, password });
    await expectOnEveryNode(nodes, 200, fresh, 'a sign-in with the new password');
  });

  it('refuses a logged-out session after Redis restarted empty, while her other session goes on', async () => {
    const fay = await signUp(nodeA);
    const fayOther = await signIn(nodeA, fay);
    await expectOnEveryNode(nodes, 200, fay, 'before the logout');
    await expectCall(nodeB, 204, 'POST', '/auth/logout', {
      token: fay.accessToken,
      body: { refreshToken: fay.refreshToken },
    });
    await expectOnEveryNode(nodes, 401, fay, 'after the logout');

    await redisServer.stop();
    await redisServer.start();
    for (const node of nodes) await waitForReadiness(node, 200);
    // Her other session first: its check writes her token version back into the empty Redis,
    // which must not make the logged-out family's tokens pass.
    await expectOnEveryNode(nodes, 200, fayOther, 'her other session, after the restart');
    await expectOnEveryNode(nodes, 401, fay, 'after the restart');
    await eventually(
      () => redisTrustedAgain(redis),
      (trusted) => trusted,
      'Redis told its revocation facts are complete again',
    );
    await expectOnEveryNode(nodes, 401, fay, 'once Redis is trusted again');
    await expectOnEveryNode(nodes, 200, fayOther, 'her other session, once Redis is trusted again');
  });

  /**
   * Logs a session out through node B while node A's revocation messages are impaired by
   * `impair` (which answers how to undo it; node A's commands still flow), and expects every
   * node to refuse the session at once. Node A has a verdict for it kept from before.
   */
  async function logoutWithNodeAImpaired(impair: () => Promise<() => void>): Promise<void> {
    const member = await signUp(nodeB);
    await expectOnEveryNode(nodes, 200, member, 'before the logout'); // node A keeps its verdict
    const undo = await impair();
    try {
      await expectCall(nodeB, 204, 'POST', '/auth/logout', {
        token: member.accessToken,
        body: { refreshToken: member.refreshToken },
      });
      await expectOnEveryNode([nodeA, nodeB], 401, member, 'right after the logout');
    } finally {
      undo();
    }
  }

  it("refuses a logged-out session at once on a node that lost its revocation messages' connection", () =>
    logoutWithNodeAImpaired(async () => {
      // Node A's subscriber connection drops and cannot come back.
      const { id } = await subscriberOfNodeA(relay, redis);
      relay.refusingNew = true;
      const undo = () => (relay.refusingNew = false);
      await redis.client('KILL', 'ID', id).catch((error: unknown) => {
        undo();
        throw error;
      });
      return undo;
    }));

  /** Node A hears revocation messages `lateMs` late. */
  const heardLate = (lateMs: number) => async () => {
    const { upstreamPort } = await subscriberOfNodeA(relay, redis);
    relay.delayToClient = { ms: lateMs, upstreamPort };
    return () => (relay.delayToClient = null);
  };

  it('refuses a logged-out session at once on a node that hears revocation messages late', () =>
    logoutWithNodeAImpaired(heardLate(400)));

  // Node B gives up waiting for node A's confirmation and raises the revocation epoch, which
  // node A reads from MySQL.
  it('refuses a logged-out session on a node that never confirms the revocation in time', () =>
    logoutWithNodeAImpaired(heardLate(5000)));
});
