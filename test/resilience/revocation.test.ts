import { expect } from 'chai';
import type Redis from 'ioredis';
import {
  type Member,
  type OwnChirp,
  call,
  expectCall,
  ownRedisClient,
  signIn,
  signUp,
  startOwnChirp,
  waitForEmptyOutbox,
  waitForReadiness,
} from './support';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the worker has finished a cache-repair job (Bull keeps completed jobs' ids). */
async function repairDone(redis: Redis): Promise<boolean> {
  const done = await redis.zrange('bull:timeline:completed', 0, -1);
  return done.some((id) => id.startsWith('repair:'));
}

/**
 * A logout while Redis is away cannot be written to Redis. When Redis comes back with the
 * facts it had (a network partition, a restart from disk), those facts say the session is
 * live until the repair job resets them: the logged-out token must be refused all along.
 */
describe('Access tokens when Redis returns with the facts it had', function () {
  this.timeout(60_000);
  let chirp: OwnChirp;
  let redis: Redis;
  let erin: Member;
  let erinOther: Member;

  before(async function () {
    this.timeout(45_000);
    chirp = await startOwnChirp({ throughRelay: true });
    redis = ownRedisClient(chirp.redis);
    erin = await signUp(chirp);
    erinOther = await signIn(chirp, erin);
    await expectCall(chirp, 200, 'GET', '/users/me', { token: erin.accessToken });
    // What the API now knows of her tokens in Redis: the facts that will go stale.
    expect(await redis.exists(`auth:tv:${erin.id}`), 'her token version, in Redis').to.equal(1);
  });

  after(async () => {
    redis?.disconnect();
    await chirp?.stop();
  });

  it('refuses a token logged out while Redis was cut off, before and after Redis returns', async () => {
    await chirp.relay!.close();
    await waitForReadiness(chirp, 503);
    await expectCall(chirp, 204, 'POST', '/auth/logout', {
      token: erin.accessToken,
      body: { refreshToken: erin.refreshToken },
    });
    await expectCall(chirp, 401, 'GET', '/users/me', { token: erin.accessToken });

    await chirp.relay!.open();
    await waitForReadiness(chirp, 200);
    // From Redis's return until the repair job has run (and after): refused every time.
    const deadline = Date.now() + 15_000;
    let checks = 0;
    for (;;) {
      const answer = await call(chirp, 'GET', '/users/me', { token: erin.accessToken });
      checks += 1;
      expect(answer.status, `check ${checks} after Redis returned`).to.equal(401);
      if (await repairDone(redis)) break;
      if (Date.now() > deadline) throw new Error('no repair job finished within 15 s');
      await sleep(50);
    }
    await waitForEmptyOutbox();
    await expectCall(chirp, 401, 'GET', '/users/me', { token: erin.accessToken });
    // Her other session is untouched throughout.
    await expectCall(chirp, 200, 'GET', '/users/me', { token: erinOther.accessToken });
  });
});
