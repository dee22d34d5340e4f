import { expect } from 'chai';
import type Redis from 'ioredis';
import { keys } from '../../app/cache/keys';
import { createUsers } from '../helpers/factories';
import type { TestUser } from '../helpers/http';
import {
  call,
  eventually,
  expectCall,
  ownRedisClient,
  type OwnChirp,
  startOwnChirp,
  waitForReadiness,
} from '../resilience/support';

/**
 * Trending tags live only in Redis: cut off from it, GET /hashtags/trending answers 503 (not
 * a 500), posts still succeed, and once Redis is back the repair job has the next read
 * count the uses made meanwhile (rebuilt from tweet_hashtags).
 */
describe('GET /hashtags/trending when Redis is cut off', function () {
  this.timeout(90_000);
  let chirp: OwnChirp;
  let users: TestUser[];
  let redis: Redis;
  const tag = `outage${Math.random().toString(36).slice(2, 8).replace(/\d/g, 'x')}`;

  /** The trending tags now: a read while the 30 s snapshot is still current would not show them. */
  const trending = async () => {
    await redis.del(keys.trendingCurrent()).catch(() => undefined);
    return (
      await expectCall(chirp, 200, 'GET', '/hashtags/trending', { token: users[0].accessToken })
    ).body as { data: { tag: string; authors: number }[] };
  };
  const authorsOf = async () => (await trending()).data.find((t) => t.tag === tag)?.authors;

  before(async function () {
    this.timeout(60_000);
    chirp = await startOwnChirp({ throughRelay: true });
    redis = ownRedisClient(chirp.redis);
    // More authors than any other test's tag has, so the tag is in the top 10 whatever ran.
    users = await createUsers(31);
    await trending(); // builds the sets: the posts below are counted live
    for (const user of users.slice(0, 30)) {
      await expectCall(chirp, 201, 'POST', '/tweets', {
        token: user.accessToken,
        body: { content: `#${tag}` },
      });
    }
  });

  after(async () => {
    redis?.disconnect();
    await chirp?.stop();
  });

  it('answers 503 unavailable while Redis is away, and counts a post made meanwhile once back', async () => {
    expect(await authorsOf()).to.equal(30);
    await chirp.relay!.close();
    await waitForReadiness(chirp, 503);
    const away = await call(chirp, 'GET', '/hashtags/trending', { token: users[0].accessToken });
    expect(away.status, JSON.stringify(away.body)).to.equal(503);
    expect(away.body).to.include({ code: 'unavailable' });
    await expectCall(chirp, 201, 'POST', '/tweets', {
      token: users[30].accessToken,
      body: { content: `during the outage #${tag}` },
    });
    await chirp.relay!.open();
    await waitForReadiness(chirp, 200);
    await eventually(authorsOf, (authors) => authors === 31, 'the use made during the outage');
  });
});
