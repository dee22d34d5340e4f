import { expect } from 'chai';
import { loadConfig } from '../../config';
import { socketIoKey, userRoom } from '../../app/realtime/events';
import { roomChannel } from '../../app/realtime/shardedEmitter';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import { registerUser, type TestUser } from '../helpers/http';
import { eventually } from '../helpers/poll';
import { type Failover, RedisCluster } from '../helpers/redisCluster';
import { follow, postTweet, registerUsers } from '../helpers/socialGraph';
import { waitForQueuesIdle } from '../helpers/workers';
import { type Cluster, engage, startCluster, stopCluster } from '../realtime/cluster';
import { type Client, closeAllSockets, connect } from '../realtime/sockets';

/** Posts made after each failover, one every POST_GAP_MS: the first ones measure the gap. */
const POSTS_AFTER = 8;
const POST_GAP_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 17 parts 2 and 3: realtime with REDIS_PUBSUB_URL on a 3-master Redis Cluster of the
 * test's own (REDIS_URL and REDIS_CACHE_URL stay on the suite's Redis). Two API nodes and a
 * worker: Socket.IO runs on sharded pub/sub, the worker's pushes reach sockets on either
 * node, and they keep arriving after a master is failed over or killed.
 */
describe('realtime on a Redis Cluster (REDIS_PUBSUB_URL=redis+cluster://…)', function () {
  this.timeout(60_000);
  let redisCluster: RedisCluster | undefined;
  let cluster: Cluster | undefined;
  let node1: ApiNode;
  let node2: ApiNode;
  /** The channel prefix the processes use on this cluster, as their configuration makes it. */
  let channelPrefix: string;
  /** The processes' environment beyond the suite's: pub/sub on the cluster. */
  let env: Record<string, string>;

  before(async function () {
    this.timeout(120_000);
    redisCluster = await RedisCluster.start();
    env = { REDIS_PUBSUB_URL: redisCluster.url, LOG_LEVEL: 'warn' };
    channelPrefix = socketIoKey(loadConfig({ ...process.env, ...env }).pubsubPrefix);
    cluster = await startCluster(2, env);
    [node1, node2] = cluster.nodes;
  });

  after(async function () {
    this.timeout(60_000);
    try {
      await stopCluster(cluster);
    } finally {
      await redisCluster?.stop();
    }
  });

  const channelOf = (user: TestUser) => roomChannel(channelPrefix, userRoom(user.id));

  /** Until `nodes` nodes (those holding `user`'s sockets) are SSUBSCRIBEd to the user's channel. */
  const subscribed = (user: TestUser, nodes = 1) =>
    eventually(
      () => redisCluster!.shardSubscribers(channelOf(user)),
      (count) => count === nodes,
      `a sharded subscription to ${channelOf(user)}`,
    );

  describe('across API nodes', function () {
    afterEach(closeAllSockets);

    it("pushes a post made through node 1 to a follower's socket on node 2, over sharded pub/sub", async () => {
      const [author, follower] = await registerUsers(2);
      await follow(follower, author, node1.client());
      const followerSocket = await connect(node2.url, follower.accessToken);
      const authorSocket = await connect(node1.url, author.accessToken);
      // What an operator sees: the follower's room is a shard channel, on its slot's master.
      await subscribed(follower);

      const posted = await postTweet(author, 'hello, cluster', { client: node1.client() });

      const { tweet } = await followerSocket.next(
        'tweet:new',
        ({ tweet: t }) => t.id === posted.id,
      );
      expect(tweet).to.deep.equal(posted);
      const own = await authorSocket.next('tweet:new', ({ tweet: t }) => t.id === posted.id);
      expect(own.tweet).to.deep.equal(posted);
    });

    it("pushes a like's notification to the author's socket on the other node", async () => {
      const [author, fan] = await registerUsers(2);
      const authorSocket = await connect(node2.url, author.accessToken);
      await subscribed(author);
      const posted = await postTweet(author, 'like me', { client: node2.client() });

      await engage(node1, fan, 'like', posted.id);

      const { notification } = await authorSocket.next(
        'notification',
        ({ notification: n }) => n.type === 'like' && n.tweet?.id === posted.id,
      );
      expect(notification).to.deep.include({
        type: 'like',
        actor: { id: fan.id, username: fan.username, displayName: fan.username },
        read: false,
      });
    });
  });

  describe('a node stopping', function () {
    let doomed: ApiNode | undefined;
    afterEach(async () => {
      closeAllSockets();
      await doomed?.process.stop('SIGKILL');
    });

    it('exits 0 on SIGTERM, and the other node keeps pushing to the same user', async () => {
      doomed = await startApiNode(env);
      const [author, follower] = await registerUsers(2);
      await follow(follower, author, node1.client());
      const leaving = await connect(doomed.url, follower.accessToken);
      const staying = await connect(node2.url, follower.accessToken);
      await subscribed(follower, 2);

      doomed.process.child.kill('SIGTERM');

      await leaving.disconnected();
      // Its shard subscriptions go with it (SUNSUBSCRIBE on close), quietly.
      expect(await doomed.process.exited, doomed.process.output()).to.equal(0);
      await subscribed(follower, 1);
      const posted = await postTweet(author, 'one node fewer', { client: node1.client() });
      const { tweet } = await staying.next('tweet:new', ({ tweet: t }) => t.id === posted.id);
      expect(tweet).to.deep.equal(posted);
    });
  });

  describe('through failovers', function () {
    let author: TestUser;
    /** A follower per master, each with a socket on node 2: every shard carries a push. */
    let followers: { user: TestUser; socket: Client }[];

    before(async function () {
      this.timeout(60_000);
      author = await registerUser();
      followers = [];
      const masters = await redisCluster!.masters();
      const covered = new Set<number>();
      while (covered.size < masters.length) {
        const user = await registerUser();
        const master = await redisCluster!.masterOf(await redisCluster!.slotOf(channelOf(user)));
        if (covered.has(master)) continue;
        covered.add(master);
        await follow(user, author, node1.client());
        followers.push({ user, socket: await connect(node2.url, user.accessToken) });
        await subscribed(user);
      }
    });

    after(closeAllSockets);

    /**
     * After `disruption` settled, posts POSTS_AFTER tweets through node 1, POST_GAP_MS apart,
     * waits for the worker to finish (a failed push is retried by Bull), and answers, per
     * post, when it was made after the failover settled and which followers never got it.
     */
    async function postThrough(failover: Failover, label: string) {
      const posts: { id: string; madeAfterMs: number }[] = [];
      const settledAt = Date.now();
      for (let i = 0; i < POSTS_AFTER; i += 1) {
        const tweet = await postTweet(author, `${label} ${i}`, { client: node1.client() });
        posts.push({ id: tweet.id, madeAfterMs: Date.now() - settledAt });
        await sleep(POST_GAP_MS);
      }
      const last = posts[posts.length - 1];
      await Promise.all(
        followers.map(({ socket }) =>
          socket.next('tweet:new', ({ tweet }) => tweet.id === last.id),
        ),
      );
      await waitForQueuesIdle();
      const missed = posts.map((post) => ({
        ...post,
        missedBy: followers.filter(
          ({ socket }) => !socket.payloads('tweet:new').some(({ tweet }) => tweet.id === post.id),
        ).length,
      }));
      const lost = missed.filter((post) => post.missedBy > 0);
      console.log(
        `      ${label}: ${failover.oldMaster} -> ${failover.newMaster} settled in ` +
          `${failover.settledMs} ms; posts missed: ${lost.length}/${posts.length}` +
          (lost.length ? ` (made ${lost.map((p) => p.madeAfterMs).join(', ')} ms after)` : ''),
      );
      return missed;
    }

    it('delivers to followers on every shard after a planned failover of each master in turn', async () => {
      for (const master of await redisCluster!.masters()) {
        const failover = await redisCluster!.failover(master);
        const posts = await postThrough(failover, `failover of ${master}`);
        // Whatever a post made in the first moments met, the last one reached every follower.
        expect(posts[posts.length - 1].missedBy).to.equal(0);
      }
    });

    it("delivers after the master of a follower's channel is killed (SIGKILL)", async () => {
      const { user } = followers[0];
      const master = await redisCluster!.masterOf(await redisCluster!.slotOf(channelOf(user)));
      const failover = await redisCluster!.killMaster(master);
      const posts = await postThrough(failover, `SIGKILL of ${master}`);
      expect(posts[posts.length - 1].missedBy).to.equal(0);
      await redisCluster!.restart(master); // a replica again, for whatever runs next
    });
  });
});
