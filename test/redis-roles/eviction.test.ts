import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { sequelize } from '../../app/infra/db';
import type { ApiNode } from '../helpers/apiNode';
import { createFollow, createTweet, createUsers } from '../helpers/factories';
import { bearer, type TestUser } from '../helpers/http';
import { waitForQueuesIdle } from '../helpers/workers';
import { type Cluster, startCluster, stopCluster } from '../realtime/cluster';
import { OwnRedis } from './support';

const USERS = 80;
const FOLLOWS_EACH = 15;
const TWEETS_EACH = 10;
/** Long contents make big tweet records: the cache fills sooner. */
const filler = (n: number) => `tweet ${n} ${'lorem ipsum dolor sit amet '.repeat(9)}`.trim();

/** Every id of a paged list, following nextCursor; fails on anything but 200. */
async function allIds(node: ApiNode, user: TestUser, path: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
    const response = await node.client().get(`${path}${query}`).set(bearer(user.accessToken));
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).to.equal(200);
    const body = response.body as { data: { id: string }[]; nextCursor: string | null };
    ids.push(...body.data.map((item) => item.id));
    cursor = body.nextCursor;
  } while (cursor);
  return ids;
}

const idsOf = async (sql: string, replacements: Record<string, unknown>) =>
  (await sequelize.query<{ id: string }>(sql, { replacements, type: QueryTypes.SELECT })).map(
    (row) => String(row.id),
  );

/** What MySQL says a home timeline holds: the user's entries and their followees', newest first. */
const homeFromMySQL = (userId: string) =>
  idsOf(
    `SELECT id FROM tweets WHERE author_id = :userId
       OR author_id IN (SELECT followee_id FROM follows WHERE follower_id = :userId)
     ORDER BY id DESC`,
    { userId },
  );

const authorFromMySQL = (userId: string) =>
  idsOf('SELECT id FROM tweets WHERE author_id = :userId ORDER BY id DESC', { userId });

interface TweetRow {
  id: string;
  content: string;
  likesCount: number;
}

/** Checks every user's home timeline, own tweets and every tweet against MySQL. */
async function expectAnswersAsMySQL(node: ApiNode, users: TestUser[]): Promise<void> {
  for (const user of users) {
    expect(await allIds(node, user, '/tweets'), `home of ${user.id}`).to.deep.equal(
      await homeFromMySQL(user.id),
    );
    expect(
      await allIds(node, user, `/users/${user.id}/tweets`),
      `tweets of ${user.id}`,
    ).to.deep.equal(await authorFromMySQL(user.id));
  }
  const rows = await sequelize.query<TweetRow>(
    `SELECT id, content, likes_count AS likesCount FROM tweets
     WHERE author_id IN (:ids) AND retweet_of_id IS NULL`,
    { replacements: { ids: users.map((u) => u.id) }, type: QueryTypes.SELECT },
  );
  for (const [i, row] of rows.entries()) {
    const viewer = users[i % users.length];
    const response = await node.client().get(`/tweets/${row.id}`).set(bearer(viewer.accessToken));
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    const tweet = response.body as { content: string; likesCount: number };
    expect(
      { content: tweet.content, likesCount: tweet.likesCount },
      `tweet ${row.id}`,
    ).to.deep.equal({
      content: row.content,
      likesCount: Number(row.likesCount),
    });
  }
}

describe('a cache instance under allkeys-lru memory pressure (REDIS_CACHE_URL)', function () {
  this.timeout(300_000);
  let cache: OwnRedis | undefined;
  let cluster: Cluster | undefined;
  let node: ApiNode;
  let users: TestUser[];

  before(async function () {
    // The rows first, straight into MySQL: the cache instance starts empty and everything in
    // it is built by the processes below, from MySQL.
    users = await createUsers(USERS);
    for (const [i, user] of users.entries()) {
      for (let k = 1; k <= FOLLOWS_EACH; k += 1)
        await createFollow(user, users[(i + k * 5) % USERS]);
    }
    for (let round = 0; round < TWEETS_EACH; round += 1) {
      for (const [i, user] of users.entries()) await createTweet(user, filler(round * USERS + i));
    }
    cache = await OwnRedis.start(6423, [
      '--maxmemory',
      '2mb',
      '--maxmemory-policy',
      'allkeys-lru',
      '--appendonly',
      'no',
    ]);
    cluster = await startCluster(1, { REDIS_CACHE_URL: cache.url() });
    [node] = cluster.nodes;
  });

  after(async () => {
    await stopCluster(cluster);
    await cache?.stop();
  });

  it('evicts, and every timeline page, user-tweets page and tweet still answers what MySQL holds', async () => {
    await expectAnswersAsMySQL(node, users);
    // Writes while the cache is full: fan-out into timelines that may be gone, likes into
    // tweet records and viewer sets that may be gone, retweets into both.
    const newestPosts = await Promise.all(
      users.map(({ id }) =>
        idsOf(
          'SELECT id FROM tweets WHERE author_id = :id AND retweet_of_id IS NULL ORDER BY id DESC LIMIT 1',
          { id },
        ),
      ),
    );
    for (const [i, user] of users.entries()) {
      const [target] = newestPosts[(i + 5) % USERS];
      const posted = await node
        .client()
        .post('/tweets')
        .set(bearer(user.accessToken))
        .send({ content: filler(10_000 + i) });
      expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
      for (const what of ['like', 'retweet']) {
        const response = await node
          .client()
          .post(`/tweets/${target}/${what}`)
          .set(bearer(user.accessToken));
        expect(response.status, JSON.stringify(response.body)).to.equal(200);
      }
    }
    await waitForQueuesIdle(60_000);
    await expectAnswersAsMySQL(node, users);
    // Rankings and snapshots are evicted too: their reads still answer.
    for (const user of users.slice(0, 20)) {
      for (const path of ['/tweets/popular', '/hashtags/trending', '/search/users?q=f']) {
        const response = await node.client().get(path).set(bearer(user.accessToken));
        expect(response.status, `${path}: ${JSON.stringify(response.body)}`).to.equal(200);
      }
    }
    const evicted = await cache!.info('stats', 'evicted_keys');
    expect(evicted, 'keys the cache instance evicted').to.be.greaterThan(0);
  });
});
