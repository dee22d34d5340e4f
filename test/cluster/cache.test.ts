import { expect } from 'chai';
import { Cluster } from 'ioredis';
import { QueryTypes } from 'sequelize';
import { keys } from '../../app/cache/keys';
import { redis } from '../../app/infra/redis';
import { sequelize } from '../../models';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import { type RunningProcess, startProcess } from '../helpers/processes';
import { RedisCluster } from '../helpers/redisCluster';
import { withRedis } from '../helpers/redisProcess';
import {
  type Answer,
  call,
  eventually,
  expectCall,
  type Member,
  signUp,
  waitForEmptyOutbox,
} from '../resilience/support';

/** Ports of this file's cluster (test/helpers/redisCluster.ts uses 7101 by default). */
const BASE_PORT = 7201;
/** Authors with more followers than this are merged at read time (the cluster path's round 2). */
const CELEBRITY_THRESHOLD = 5;
const PAUSE_MS = 50;
/** How long the load goes on after every node serves the killed master's slots elsewhere. */
const AFTER_FAILOVER_MS = 5000;
/**
 * The stated bound: a request may fail only between the kill and this long after the test saw
 * every node agree on the new master (ioredis learns it at its next slot refresh or MOVED).
 */
const FAILOVER_GRACE_MS = 3000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Item {
  id: string;
  type?: 'retweet';
  likesCount?: number;
  liked?: boolean;
  tweet?: { id: string; likesCount: number; liked: boolean };
}

/**
 * A user's home timeline as MySQL has it: their and their followees' entries, newest first
 * (without those of `leaving`: the celebrities a stored timeline does not hold).
 */
async function homeFromMysql(userId: string, leaving: string[] = ['0']): Promise<string[]> {
  const rows = await sequelize.query<{ id: string }>(
    `SELECT id FROM tweets WHERE author_id = :userId
        OR author_id IN (SELECT followee_id FROM follows WHERE follower_id = :userId
                           AND followee_id NOT IN (:leaving))
     ORDER BY id DESC`,
    { replacements: { userId, leaving }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => String(row.id));
}

/** The likes count and whether `viewerId` likes it, per tweet, as MySQL has them. */
async function likesFromMysql(
  viewerId: string,
  ids: string[],
): Promise<Map<string, { likesCount: number; liked: boolean }>> {
  const rows = await sequelize.query<{ id: string; likesCount: number; liked: number }>(
    `SELECT t.id, t.likes_count AS likesCount,
            EXISTS (SELECT 1 FROM likes l WHERE l.tweet_id = t.id AND l.user_id = :viewerId) AS liked
       FROM tweets t WHERE t.id IN (:ids)`,
    { replacements: { viewerId, ids }, type: QueryTypes.SELECT },
  );
  return new Map(
    rows.map((row) => [
      String(row.id),
      { likesCount: Number(row.likesCount), liked: Number(row.liked) === 1 },
    ]),
  );
}

/** An author's entries as MySQL has them, newest first. */
async function authorFromMysql(authorId: string): Promise<string[]> {
  const rows = await sequelize.query<{ id: string }>(
    'SELECT id FROM tweets WHERE author_id = :authorId ORDER BY id DESC LIMIT 100',
    { replacements: { authorId }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => String(row.id));
}

/** Every page of a home timeline, `limit` at a time, each page asked of the next node in turn. */
async function walkHome(nodes: ApiNode[], member: Member, limit: number): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const { body } = await expectCall(
      nodes[page % nodes.length],
      200,
      'GET',
      `/tweets?limit=${limit}${query}`,
      { token: member.accessToken },
    );
    items.push(...(body.data as Item[]));
    cursor = body.nextCursor as string | null;
    if (!cursor) return items;
  }
  throw new Error('more than 100 pages');
}

/** What a page says of each entry's tweet: its likes and the viewer's like. */
const likesShown = (item: Item) =>
  item.type === 'retweet'
    ? { id: item.tweet!.id, likesCount: item.tweet!.likesCount, liked: item.tweet!.liked }
    : { id: item.id, likesCount: item.likesCount!, liked: item.liked! };

/** Asserts a viewer's whole home timeline, read in pages from both nodes, is MySQL's. */
async function expectHomeAsMysql(nodes: ApiNode[], viewer: Member, limit = 4): Promise<void> {
  const expected = await homeFromMysql(viewer.id);
  const items = await walkHome(nodes, viewer, limit);
  expect(
    items.map((item) => item.id),
    'the home timeline, paged across both nodes',
  ).to.deep.equal(expected);
  const shown = items.map(likesShown);
  const truth = await likesFromMysql(
    viewer.id,
    shown.map((item) => item.id),
  );
  for (const item of shown) {
    expect({ ...item }, `tweet ${item.id}`).to.deep.equal({ id: item.id, ...truth.get(item.id) });
  }
}

describe('The cache role on a Redis Cluster (REDIS_CACHE_URL=redis+cluster://...)', function () {
  this.timeout(240_000);
  let cluster: RedisCluster;
  let cache: Cluster;
  let nodes: ApiNode[];
  let worker: RunningProcess;
  let viewer: Member;
  let authors: Member[]; // followed by the viewer; authors[2] is a celebrity
  let fans: Member[]; // make authors[2] a celebrity; fans[0-2] also follow authors[0] and [1]
  const posts: string[] = [];

  const post = async (member: Member, content: string, node = nodes[0]) =>
    (
      await expectCall(node, 201, 'POST', '/tweets', {
        token: member.accessToken,
        body: { content },
      })
    ).body.id as string;

  before(async function () {
    this.timeout(120_000);
    cluster = await RedisCluster.start({ basePort: BASE_PORT });
    const env = {
      REDIS_CACHE_URL: cluster.url,
      FANOUT_CELEBRITY_THRESHOLD: String(CELEBRITY_THRESHOLD),
      LOG_LEVEL: 'warn',
    };
    nodes = await Promise.all([startApiNode(env), startApiNode(env)]);
    worker = await startProcess('workers/index.ts', env);
    cache = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    cache.on('error', () => undefined); // the failover test kills a node on purpose
    viewer = await signUp(nodes[0]);
    authors = await Promise.all([0, 1, 2].map(() => signUp(nodes[1])));
    fans = await Promise.all([0, 1, 2, 3, 4, 5].map(() => signUp(nodes[0])));
    for (const [i, fan] of fans.entries()) {
      for (const author of i < 3 ? authors : [authors[2]]) {
        await expectCall(nodes[1], 200, 'POST', `/users/${author.id}/follow`, {
          token: fan.accessToken,
        });
      }
      await expectCall(nodes[i % 2], 200, 'GET', '/tweets', { token: fan.accessToken });
    }
    for (const author of authors) {
      await expectCall(nodes[0], 200, 'POST', `/users/${author.id}/follow`, {
        token: viewer.accessToken,
      });
    }
    // Read once so the timeline exists in the cache: later posts reach it by fan-out.
    await expectCall(nodes[1], 200, 'GET', '/tweets', { token: viewer.accessToken });
    for (let i = 0; i < 4; i += 1) {
      for (const author of authors) posts.push(await post(author, `cluster ${i} by ${author.id}`));
    }
    posts.push(await post(viewer, 'the viewer speaks'));
    // A retweet by a followed author of another's tweet, and likes by the viewer and fans.
    await expectCall(nodes[1], 200, 'POST', `/tweets/${posts[0]}/retweet`, {
      token: authors[1].accessToken,
    });
    await expectCall(nodes[0], 200, 'POST', `/tweets/${posts[0]}/like`, {
      token: viewer.accessToken,
    });
    await expectCall(nodes[1], 200, 'POST', `/tweets/${posts[4]}/like`, {
      token: viewer.accessToken,
    });
    for (const fan of fans.slice(0, 3)) {
      await expectCall(nodes[0], 200, 'POST', `/tweets/${posts[4]}/like`, {
        token: fan.accessToken,
      });
    }
    await expectCall(nodes[1], 200, 'POST', `/tweets/${posts[5]}/like`, {
      token: fans[0].accessToken,
    });
    await waitForEmptyOutbox();
  });

  after(async () => {
    cache?.disconnect();
    await Promise.all([...(nodes ?? []).map((node) => node.stop()), worker?.stop('SIGKILL')]);
    await cluster?.stop();
  });

  it('answers home timelines (celebrity merged, retweets, likes) as MySQL has them, from both nodes', async () => {
    await eventually(
      () => homeFromMysql(viewer.id),
      (ids) => ids.length === posts.length + 1,
      'every post and the retweet in MySQL',
    );
    await eventually(
      async () => {
        try {
          await expectHomeAsMysql(nodes, viewer);
          return null;
        } catch (error) {
          return (error as Error).message;
        }
      },
      (failure) => failure === null,
      'the home timeline as MySQL has it (fan-out done)',
    );
    // The same page from either node, byte for byte.
    const [a, b] = await Promise.all(
      nodes.map((node) =>
        expectCall(node, 200, 'GET', '/tweets?limit=7', { token: viewer.accessToken }),
      ),
    );
    expect(a.body).to.deep.equal(b.body);
    // It is the cluster that holds the caches, and the suite's single Redis none of them.
    expect(await cache.exists(keys.home(viewer.id))).to.equal(1);
    expect(await cache.exists(keys.liked(viewer.id))).to.equal(1);
    expect(await cache.exists(keys.tweet(posts[0]))).to.equal(1);
    expect(await redis.exists(keys.home(viewer.id), keys.tweet(posts[0]))).to.equal(0);
  });

  it("fans posts out into each follower's timeline in the cluster, and reads warm pages from it", async () => {
    for (const member of [viewer, ...fans.slice(0, 3)]) {
      // The stored timeline: the member's and their fanned-out followees' entries (not the
      // celebrity's, merged when read).
      const expected = await homeFromMysql(member.id, [authors[2].id]);
      await eventually(
        () => cache.zrevrangebyscore(keys.home(member.id), '+inf', '(0'),
        (ids) => JSON.stringify(ids) === JSON.stringify(expected),
        `${member.username}'s timeline in the cluster`,
      );
    }
    const read = () =>
      expectCall(nodes[0], 200, 'GET', '/tweets?limit=20', { token: viewer.accessToken });
    const first = await read();
    const masters = await cluster.masters();
    const before = await commandCalls(masters);
    const again = await read();
    const after = await commandCalls(masters);
    expect(again.body).to.deep.equal(first.body);
    const used = masters.map((_, i) => diffCalls(before[i], after[i]));
    const total = (name: string) => used.reduce((sum, calls) => sum + (calls.get(name) ?? 0), 0);
    // Printed for docs/decisions/0017: what a warm page costs each master.
    console.log(
      `      a warm 20-item home page: ${used
        .map((calls, i) => `${masters[i]} ${JSON.stringify(Object.fromEntries(calls))}`)
        .join('; ')}`,
    );
    // Its records came from the cluster (one GET each), and nothing was filled again: the one
    // SET is the rate limiter's (its script sets the caller's key if new, then counts).
    expect(total('get')).to.be.greaterThan(0);
    expect(total('set'), 'set').to.equal(1);
    for (const write of ['sadd', 'zadd', 'del', 'multi', 'exec']) {
      expect(total(write), write).to.equal(0);
    }
  });

  it("answers a tweet's page and a user's tweets as MySQL has them, from both nodes", async () => {
    for (const [i, node] of nodes.entries()) {
      const id = posts[4 + i];
      const { body } = await expectCall(node, 200, 'GET', `/tweets/${id}`, {
        token: viewer.accessToken,
      });
      const truth = (await likesFromMysql(viewer.id, [id])).get(id);
      expect({ likesCount: body.likesCount, liked: body.liked }).to.deep.equal(truth);
      for (const author of authors) {
        const page = await expectCall(node, 200, 'GET', `/users/${author.id}/tweets?limit=100`, {
          token: viewer.accessToken,
        });
        expect((page.body.data as Item[]).map((item) => item.id)).to.deep.equal(
          await authorFromMysql(author.id),
        );
      }
    }
  });

  it('ranks popular tweets by their engagement in MySQL', async () => {
    const rows = await sequelize.query<{ id: string }>(
      `SELECT id FROM tweets
        WHERE id IN (:posts) AND likes_count + 2 * retweets_count + 2 * replies_count > 0
        ORDER BY likes_count + 2 * retweets_count + 2 * replies_count DESC`,
      { replacements: { posts }, type: QueryTypes.SELECT },
    );
    for (const node of nodes) {
      const { body } = await expectCall(node, 200, 'GET', '/tweets/popular?limit=10', {
        token: viewer.accessToken,
      });
      expect((body.data as Item[]).map((item) => item.id)).to.deep.equal(
        rows.map((row) => String(row.id)),
      );
    }
  });

  it('counts one rate-limit budget across both nodes', async () => {
    const remaining: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const { headers } = await fetchMe(nodes[i % 2], viewer);
      remaining.push(Number(headers.get('ratelimit-remaining')));
    }
    expect(remaining.slice(1).map((left, i) => remaining[i] - left)).to.deep.equal([1, 1, 1, 1, 1]);
  });

  it("keeps answering while the master of the viewer's slot is killed, and pages are right after", async () => {
    const port = await cluster.masterOf(await cluster.slotOf(keys.home(viewer.id)));
    const attempts: { at: number; what: string; answer?: Answer; failure?: string }[] = [];
    let stopping = false;
    const loop = async (what: string, request: (i: number) => Promise<Answer>) => {
      for (let i = 0; !stopping; i += 1) {
        const attempt: (typeof attempts)[number] = { at: Date.now(), what };
        try {
          attempt.answer = await request(i);
        } catch (error) {
          attempt.failure = (error as Error).message;
        }
        attempts.push(attempt);
        await sleep(PAUSE_MS);
      }
    };
    const load = Promise.all([
      loop('home', (i) =>
        call(nodes[i % 2], 'GET', '/tweets?limit=10', { token: viewer.accessToken }),
      ),
      loop('tweet', (i) =>
        call(nodes[(i + 1) % 2], 'GET', `/tweets/${posts[i % posts.length]}`, {
          token: viewer.accessToken,
        }),
      ),
      loop('post', (i) =>
        call(nodes[i % 2], 'POST', '/tweets', {
          token: authors[i % 2].accessToken,
          body: { content: `through the failover ${i}` },
        }),
      ),
      loop('like', (i) =>
        call(nodes[i % 2], i % 2 ? 'DELETE' : 'POST', `/tweets/${posts[1]}/like`, {
          token: viewer.accessToken,
        }),
      ),
    ]);
    await sleep(1500);
    const killedAt = Date.now();
    const failover = await cluster.killMaster(port);
    const settledAt = Date.now();
    await sleep(AFTER_FAILOVER_MS);
    stopping = true;
    await load;

    const failed = attempts.filter((a) => a.failure || (a.answer && a.answer.status >= 500));
    const window = failed.length
      ? `${failed[0].at - killedAt} ms to ${failed[failed.length - 1].at - killedAt} ms after the kill`
      : 'none';
    // Printed for docs/operations.md: what a crash of a master costs.
    console.log(
      `      failover of ${failover.oldMaster} -> ${failover.newMaster}: settled ${failover.settledMs} ms after the kill; ` +
        `${attempts.length} requests, ${failed.length} failed (5xx or no answer): ${window}`,
    );
    expect(attempts.filter((a) => a.at > settledAt + 1000).length).to.be.greaterThan(20);
    for (const attempt of failed) {
      expect(
        attempt.at >= killedAt && attempt.at <= settledAt + FAILOVER_GRACE_MS,
        `${attempt.what} at ${attempt.at - killedAt} ms: ${attempt.failure ?? JSON.stringify(attempt.answer)}`,
      ).to.equal(true);
    }
    expect(
      attempts.filter((a) => a.at > killedAt && a.answer?.status === 200).length,
    ).to.be.greaterThan(0);

    // After it: every page is MySQL's (entries fanned out meanwhile, likes undone and redone).
    await waitForEmptyOutbox(30_000);
    await eventually(
      async () => {
        try {
          await expectHomeAsMysql(nodes, viewer, 10);
          return null;
        } catch (error) {
          return (error as Error).message;
        }
      },
      (failure) => failure === null,
      'the home timeline as MySQL has it after the failover',
      60_000,
    );
    for (const author of authors.slice(0, 2)) {
      const page = await expectCall(nodes[1], 200, 'GET', `/users/${author.id}/tweets?limit=100`, {
        token: viewer.accessToken,
      });
      expect((page.body.data as Item[]).map((item) => item.id)).to.deep.equal(
        await authorFromMysql(author.id),
      );
    }
  });
});

/** GET /users/me with the member's token: its answer's headers. */
async function fetchMe(node: ApiNode, member: Member): Promise<Response> {
  const response = await fetch(`${node.url}/users/me`, {
    headers: { Authorization: `Bearer ${member.accessToken}` },
  });
  expect(response.status).to.equal(200);
  await response.text();
  return response;
}

/** Calls of each command so far, per node (INFO commandstats). */
async function commandCalls(ports: number[]): Promise<Map<string, number>[]> {
  return Promise.all(
    ports.map(async (port) => {
      const info = await withRedis(port, (client) => client.info('commandstats'));
      return new Map(
        [...info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]),
      );
    }),
  );
}

/** The commands called between two readings of one node, without the test's own INFO. */
function diffCalls(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const diff = new Map<string, number>();
  for (const [name, calls] of after) {
    const more = calls - (before.get(name) ?? 0);
    if (more > 0 && name !== 'info') diff.set(name, more);
  }
  return diff;
}
