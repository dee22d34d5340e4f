import { expect } from 'chai';
import type Redis from 'ioredis';
import { loadConfig } from '../../config';
import { keys } from '../../app/cache/keys';
import { redis } from '../../app/infra/redis';
import { socketIoKey } from '../../app/realtime/events';
import type { ApiNode } from '../helpers/apiNode';
import { bearer, uniqueHandle, type TestUser } from '../helpers/http';
import { eventually } from '../helpers/poll';
import { follow, postTweet } from '../helpers/socialGraph';
import { type Cluster, startCluster, stopCluster } from '../realtime/cluster';
import { connect } from '../realtime/sockets';
import { OwnRedis } from './support';

/** Registers a user through `node` (the in-process API would use the suite's own Redis). */
async function registerOn(node: ApiNode): Promise<TestUser> {
  const body = { ...uniqueHandle('r'), password: 'correct horse battery' };
  const response = await node.client().post('/auth/register').send(body);
  expect(response.status, JSON.stringify(response.body)).to.equal(201);
  const { user, accessToken, refreshToken } = response.body as {
    user: { id: string };
    accessToken: string;
    refreshToken: string;
  };
  return { ...body, id: user.id, accessToken, refreshToken };
}

async function homeIds(node: ApiNode, user: TestUser): Promise<string[]> {
  const response = await node.client().get('/tweets').set(bearer(user.accessToken));
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return (response.body as { data: { id: string }[] }).data.map((item) => item.id);
}

/** Which of `names` exist in a Redis. */
async function existing(client: Redis, names: string[]): Promise<string[]> {
  const found = await Promise.all(names.map((name) => client.exists(name)));
  return names.filter((_, i) => found[i] === 1);
}

async function keysMatching(client: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

describe('REDIS_CACHE_URL and REDIS_PUBSUB_URL on servers of their own', function () {
  this.timeout(60_000);
  let cache: OwnRedis | undefined;
  let pubsub: OwnRedis | undefined;
  let cluster: Cluster | undefined;
  let node: ApiNode;

  before(async function () {
    cache = await OwnRedis.start(6421);
    pubsub = await OwnRedis.start(6422);
    cluster = await startCluster(1, {
      REDIS_CACHE_URL: cache.url(),
      REDIS_PUBSUB_URL: pubsub.url(),
    });
    [node] = cluster.nodes;
  });

  after(async () => {
    await stopCluster(cluster);
    await cache?.stop();
    await pubsub?.stop();
  });

  it("serves a post into a follower's home timeline with every cache key in the cache instance", async () => {
    const [author, follower] = [await registerOn(node), await registerOn(node)];
    await follow(follower, author, node.client());
    expect(await homeIds(node, follower)).to.deep.equal([]);
    const posted = await postTweet(author, 'cached elsewhere', { client: node.client() });
    await eventually(
      () => homeIds(node, follower),
      (ids) => ids.includes(posted.id),
      "the post in the follower's home timeline",
    );
    const cacheKeys = [keys.home(follower.id), keys.tweet(posted.id), `rl:api:u:${follower.id}`];
    expect(await existing(cache!.client, cacheKeys)).to.deep.equal(cacheKeys);
    expect(await existing(redis, cacheKeys)).to.deep.equal([]);
    // Queues stay on REDIS_URL: the fan-out job ran there, and nothing of Bull is in the cache.
    expect(await keysMatching(cache!.client, 'bull:*')).to.deep.equal([]);
    expect(await keysMatching(redis, 'bull:fanout:*')).to.not.deep.equal([]);
  });

  it('delivers tweet:new through the pub/sub instance', async () => {
    const [author, follower] = [await registerOn(node), await registerOn(node)];
    await follow(follower, author, node.client());
    // The channels Chirp's processes use: named after the pub/sub instance's database.
    const prefix = socketIoKey(loadConfig({ REDIS_PUBSUB_URL: pubsub!.url() }).pubsubPrefix);
    const listener = pubsub!.client.duplicate();
    const heard: string[] = [];
    listener.on('pmessage', (_pattern, channel: string) => heard.push(channel));
    await listener.psubscribe(`${prefix}*`);
    try {
      const socket = await connect(node.url, follower.accessToken);
      const posted = await postTweet(author, 'pushed elsewhere', { client: node.client() });
      const { tweet } = await socket.next('tweet:new', ({ tweet: t }) => t.id === posted.id);
      expect(tweet).to.deep.equal(posted);
      // The worker's emitter published on the pub/sub instance, where the API node listens.
      expect(heard.length).to.be.greaterThan(0);
      expect(await existing(cache!.client, ['rt:online'])).to.deep.equal(['rt:online']);
    } finally {
      listener.disconnect();
    }
  });
});
