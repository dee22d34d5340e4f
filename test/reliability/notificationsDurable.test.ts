import { expect } from 'chai';
import type Redis from 'ioredis';
import { type RunningProcess, startProcess } from '../helpers/processes';
import {
  type Member,
  type OwnChirp,
  eventually,
  expectCall,
  notifications,
  ownRedisClient,
  signUp,
  startOwnChirp,
  waitForEmptyOutbox,
} from '../resilience/support';

/**
 * A like, retweet, reply or follow and its notification commit together in MySQL: Redis
 * restarting empty after Bull took the action's jobs loses no notification (only pushes).
 */
describe('Notifications when Redis loses the jobs Bull held', function () {
  this.timeout(90_000);
  let chirp: OwnChirp;
  let redis: Redis;
  let worker: RunningProcess | undefined;
  let author: Member;
  let fan: Member;
  let follower: Member;
  let latecomer: Member;

  before(async function () {
    this.timeout(60_000);
    chirp = await startOwnChirp();
    redis = ownRedisClient(chirp.redis);
    [author, fan, follower, latecomer] = await Promise.all(
      Array.from({ length: 4 }, () => signUp(chirp)),
    );
  });

  after(async () => {
    redis?.disconnect();
    await worker?.stop('SIGKILL');
    await chirp?.stop();
  });

  it('lists every notification of actions taken before Redis was emptied, once each', async () => {
    const tweet = (
      await expectCall(chirp, 201, 'POST', '/tweets', {
        token: author.accessToken,
        body: { content: 'notice me' },
      })
    ).body.id as string;
    await waitForEmptyOutbox();
    // No worker: the actions' jobs wait in Bull, as they would behind a busy or dead worker.
    await chirp.worker.stop('SIGKILL');

    const token = fan.accessToken;
    await expectCall(chirp, 200, 'POST', `/tweets/${tweet}/like`, { token });
    await expectCall(chirp, 200, 'POST', `/tweets/${tweet}/retweet`, { token });
    await expectCall(chirp, 201, 'POST', '/tweets', {
      token,
      body: { content: 'a reply', replyToId: tweet },
    });
    await expectCall(chirp, 200, 'POST', `/users/${author.id}/follow`, {
      token: follower.accessToken,
    });
    // Bull took every job (the outbox forgot them); then Redis loses everything it held.
    await waitForEmptyOutbox();
    expect(await redis.flushall()).to.equal('OK');

    worker = await startProcess('workers/index.ts', {
      REDIS_URL: chirp.redis.url,
      LOG_LEVEL: 'warn',
    });
    // A follow after the restart: once its notification is listed, any queued one would be.
    await expectCall(chirp, 200, 'POST', `/users/${author.id}/follow`, {
      token: latecomer.accessToken,
    });
    const listed = await eventually(
      () => notifications(chirp, author),
      (list) => list.some((n) => n.actor.id === latecomer.id),
      "the latecomer's follow notification",
    );

    const seen = listed.map((n) => `${n.type} by ${n.actor.id}`).sort();
    expect(seen).to.deep.equal(
      [
        `follow by ${follower.id}`,
        `follow by ${latecomer.id}`,
        `like by ${fan.id}`,
        `reply by ${fan.id}`,
        `retweet by ${fan.id}`,
      ].sort(),
    );
  });
});
