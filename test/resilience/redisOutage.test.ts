import { expect } from 'chai';
import {
  type Member,
  type OwnChirp,
  call,
  eventually,
  expectCall,
  finishedJob,
  homeTimeline,
  type LogLine,
  logCursor,
  notifications,
  outboxRows,
  ownRedisClient,
  signIn,
  signUp,
  startOwnChirp,
  waitForEmptyOutbox,
  waitForReadiness,
} from './support';

/** Reads made in a row during the outage, enough that a warning per request would show. */
const BURST = 30;

/**
 * The contract of issue "When Redis fails": with Redis down, what MySQL can serve is served,
 * /readyz says 503, writes are either done whole (their jobs wait in the MySQL outbox) or
 * refused, and everything recovers by itself once Redis is back. The steps run in order on
 * one small cluster: the later ones check what the earlier ones left behind.
 */
describe('When Redis fails', function () {
  this.timeout(60_000);
  let chirp: OwnChirp;
  let alice: Member; // A: the author
  let bob: Member; // B: follows A
  let carol: Member; // C: follows A, then D while Redis is down
  let dave: Member; // D
  let earlier: string; // A's tweet from before the outage
  let during: string; // A's tweet posted while Redis is down
  let erin: Member; // logs one of her two sessions out while Redis is down
  let erinOther: Member; // her other session
  let outageLogs: Record<'api' | 'worker', () => LogLine[]>;

  before(async function () {
    this.timeout(45_000);
    chirp = await startOwnChirp();
    [alice, bob, carol, dave, erin] = await Promise.all(
      Array.from({ length: 5 }, () => signUp(chirp)),
    );
    erinOther = await signIn(chirp, erin);
    for (const follower of [bob, carol]) {
      await expectCall(chirp, 200, 'POST', `/users/${alice.id}/follow`, {
        token: follower.accessToken,
      });
    }
    earlier = (
      await expectCall(chirp, 201, 'POST', '/tweets', {
        token: alice.accessToken,
        body: { content: 'before the outage' },
      })
    ).body.id;
    // Timelines built in Redis; the set-up's jobs handed to Bull (the notifications done).
    for (const reader of [bob, carol]) {
      await eventually(
        () => homeTimeline(chirp, reader),
        (entries) => entries.some((entry) => entry.id === earlier),
        `${reader.username}'s timeline with the earlier tweet`,
      );
    }
    await eventually(
      () => notifications(chirp, alice),
      (list) => list.length === 2,
      "alice's two follow notifications",
    );
    await waitForEmptyOutbox();
  });

  after(async () => {
    await chirp?.stop();
  });

  it('answers /healthz 200 and /readyz 503 with redis "down" once Redis stops', async () => {
    outageLogs = { api: logCursor(chirp.api), worker: logCursor(chirp.worker) };
    await chirp.redis.stop();
    const down = await waitForReadiness(chirp, 503);
    expect(down.body.checks).to.deep.equal({ mysql: 'ok', redis: 'down' });
    await expectCall(chirp, 200, 'GET', '/healthz');
  });

  it('serves reads MySQL can answer, the home timeline included', async () => {
    for (let i = 0; i < BURST; i += 1) {
      const { body } = await expectCall(chirp, 200, 'GET', '/users/me', {
        token: bob.accessToken,
      });
      expect(body.id).to.equal(bob.id);
      const timeline = await homeTimeline(chirp, bob);
      expect(timeline.map((entry) => entry.id)).to.include(earlier);
    }
    const { body: tweet } = await expectCall(chirp, 200, 'GET', `/tweets/${earlier}`, {
      token: carol.accessToken,
    });
    expect(tweet).to.include({ id: earlier, content: 'before the outage' });
  });

  it('accepts a tweet, a like and a follow, recording their jobs in the outbox', async () => {
    const posted = await expectCall(chirp, 201, 'POST', '/tweets', {
      token: alice.accessToken,
      body: { content: 'while Redis is away' },
    });
    during = posted.body.id;
    expect(posted.body).to.include({ content: 'while Redis is away', likesCount: 0 });

    const liked = await expectCall(chirp, 200, 'POST', `/tweets/${during}/like`, {
      token: bob.accessToken,
    });
    expect(liked.body).to.deep.equal({ liked: true, likesCount: 1 });

    const followed = await expectCall(chirp, 200, 'POST', `/users/${dave.id}/follow`, {
      token: carol.accessToken,
    });
    expect(followed.body).to.include({ id: dave.id, following: true, followersCount: 1 });

    // The author reads their own write, and the like counts, even with Redis down.
    const own = await homeTimeline(chirp, alice);
    expect(own.map((entry) => entry.id)).to.include(during);
    const { body: seen } = await expectCall(chirp, 200, 'GET', `/tweets/${during}`, {
      token: bob.accessToken,
    });
    expect(seen).to.include({ likesCount: 1, liked: true });

    // The like and the follow were notified with their commit; only their pushes wait.
    const notified = [
      ...(await notifications(chirp, alice)).filter((n) => n.type === 'like'),
      ...(await notifications(chirp, dave)).filter((n) => n.type === 'follow'),
    ];
    expect(notified, 'the like and the follow notifications').to.have.length(2);
    const jobIds = [`fanout:${during}`, ...notified.map((n) => `notify:push:${n.id}`)];
    expect(await outboxRows(jobIds), 'the jobs of the three writes, in the outbox').to.equal(3);
    // The worker's relay tries to hand them to Bull, cannot, and keeps them.
    await eventually(
      () => Promise.resolve(outageLogs.worker().map((line) => line.msg ?? '')),
      (messages) => messages.some((msg) => msg.startsWith('outbox relay paused')),
      'the relay failing to reach Bull',
    );
    expect(await outboxRows(jobIds), 'the jobs, still in the outbox').to.equal(3);
  });

  it('refuses the access token of a session logged out while Redis is down', async () => {
    await expectCall(chirp, 200, 'GET', '/users/me', { token: erin.accessToken });
    await expectCall(chirp, 204, 'POST', '/auth/logout', {
      token: erin.accessToken,
      body: { refreshToken: erin.refreshToken },
    });
    const after = await call(chirp, 'GET', '/users/me', { token: erin.accessToken });
    expect(after.status, JSON.stringify(after.body)).to.equal(401);
    expect(after.body.code).to.equal('unauthorized');
    // Her other session is another family: it goes on.
    await expectCall(chirp, 200, 'GET', '/users/me', { token: erinOther.accessToken });
  });

  it('tells of the outage in a few log lines, not in one per request', () => {
    for (const role of ['api', 'worker'] as const) {
      // Request logs aside, every line written since Redis stopped is about the outage.
      const lines = outageLogs[role]().filter((line) => line.msg !== 'request');
      const messages = lines.map((line) => line.msg);
      const shown = JSON.stringify(lines, null, 1);
      expect(lines.length, `${role}: ${shown}`).to.be.within(1, 5);
      expect(new Set(messages).size, `${role}: each message once a minute: ${shown}`).to.equal(
        messages.length,
      );
    }
  });

  it('is ready again by itself once Redis is back', async () => {
    await chirp.redis.start(); // the same port, and empty
    const back = await waitForReadiness(chirp, 200);
    expect(back.body.checks).to.deep.equal({ mysql: 'ok', redis: 'ok' });
    expect(chirp.api.child.exitCode, 'the API process kept running').to.equal(null);
    expect(chirp.worker.child.exitCode, 'the worker process kept running').to.equal(null);
  });

  it('delivers the writes accepted during the outage: timelines, notifications, counts', async () => {
    for (const reader of [bob, carol]) {
      await eventually(
        () => homeTimeline(chirp, reader),
        (entries) => entries.some((entry) => entry.id === during),
        `${reader.username}'s timeline with the tweet posted during the outage`,
      );
    }
    await eventually(
      () => notifications(chirp, dave),
      (list) => list.some((n) => n.type === 'follow' && n.actor.id === carol.id),
      "dave's notification of carol's follow",
    );
    const likes = await eventually(
      () => notifications(chirp, alice),
      (list) => list.some((n) => n.type === 'like'),
      "alice's notification of bob's like",
    );
    await waitForEmptyOutbox();

    // The restarted Redis was empty: only the relay can have handed the fan-out job to Bull.
    const redis = ownRedisClient(chirp.redis);
    try {
      await finishedJob(redis, 'fanout', `fanout:${during}`);
    } finally {
      redis.disconnect();
    }
    const settled = await notifications(chirp, alice);
    const likeNotes = settled.filter((n) => n.type === 'like');
    expect(likeNotes, JSON.stringify(likes)).to.have.length(1);
    expect(likeNotes[0].actor.id).to.equal(bob.id);
    expect(likeNotes[0].tweet?.id).to.equal(during);

    const { body: tweet } = await expectCall(chirp, 200, 'GET', `/tweets/${during}`, {
      token: bob.accessToken,
    });
    expect(tweet).to.include({ likesCount: 1, liked: true });
    const { body: followed } = await expectCall(chirp, 200, 'GET', `/users/${dave.id}`, {
      token: carol.accessToken,
    });
    expect(followed).to.include({ following: true, followersCount: 1 });
  });

  it('still refuses the logged-out access token once Redis is back', async () => {
    await waitForEmptyOutbox(); // the repair job of the logout included
    const refused = await call(chirp, 'GET', '/users/me', { token: erin.accessToken });
    expect(refused.status, JSON.stringify(refused.body)).to.equal(401);
    await expectCall(chirp, 200, 'GET', '/users/me', { token: erinOther.accessToken });
  });
});
