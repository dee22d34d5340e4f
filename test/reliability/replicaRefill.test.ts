import { expect } from 'chai';
import Redis from 'ioredis';
import { config } from '../../config';
import { keys } from '../../app/cache/keys';
import { bearer } from '../helpers/http';
import {
  type LaggingReplicaNode,
  type NodeAccount,
  startLaggingReplicaNode,
} from '../platform/laggingReplica';

/**
 * An API node whose replica never catches up (a copy of the schema that gets only the rows
 * copied into it by hand). A cache refilled from it would go on serving its stale rows long
 * after the replica caught up: refills read the primary.
 */
describe('Cache refills on an API node whose read replica lags', function () {
  this.timeout(60_000);
  let lagging: LaggingReplicaNode;
  let redis: Redis;

  const request = () => lagging.request();

  async function post(author: NodeAccount, content: string): Promise<string> {
    const posted = await request()
      .post('/tweets')
      .set(bearer(author.accessToken))
      .send({ content })
      .expect(201);
    return posted.body.id as string;
  }

  before(async () => {
    lagging = await startLaggingReplicaNode('refill');
    redis = new Redis(config.redisUrl);
  });

  after(async () => {
    await lagging?.stop();
    redis?.disconnect();
  });

  it("refills a dropped tweet and the viewer's likes with the primary's like, not the replica's", async () => {
    const [author, fan] = [await lagging.register('ca'), await lagging.register('cf')];
    await lagging.replicate('users', [author.id, fan.id]);
    const tweet = await post(author, 'count my likes');
    await lagging.replicate('tweets', [tweet]); // the replica has it with no like, and stays there

    await request().post(`/tweets/${tweet}/like`).set(bearer(fan.accessToken)).expect(200);
    // The cache forgets the tweet and the fan's likes (TTL, eviction, a Redis restart).
    await redis.del(keys.tweet(tweet), keys.liked(fan.id));

    for (const attempt of ['refilled', 'from the refilled cache']) {
      const { body } = await request()
        .get(`/tweets/${tweet}`)
        .set(bearer(fan.accessToken))
        .expect(200);
      expect(body, attempt).to.include({ id: tweet, likesCount: 1, liked: true });
    }
  });

  it('rebuilds a dropped home timeline with the follows and tweets the primary has', async () => {
    const [author, reader] = [await lagging.register('ha'), await lagging.register('hr')];
    await lagging.replicate('users', [author.id, reader.id]);
    await request().post(`/users/${author.id}/follow`).set(bearer(reader.accessToken)).expect(200);
    const tweet = await post(author, 'for my follower');
    await redis.del(keys.home(reader.id));

    for (const attempt of ['rebuilt', 'from the rebuilt timeline']) {
      const { body } = await request().get('/tweets').set(bearer(reader.accessToken)).expect(200);
      const ids = (body.data as { id: string }[]).map((entry) => entry.id);
      expect(ids, attempt).to.include(tweet);
    }
  });
});
