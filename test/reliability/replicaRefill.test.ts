import { expect } from 'chai';
import Redis from 'ioredis';
import type { Connection } from 'mysql2/promise';
import supertest from 'supertest';
import { config } from '../../config';
import { createSequelize } from '../../app/infra/db';
import { keys } from '../../app/timeline/keys';
import { createMigrator } from '../../migrations';
import { bearer, uniqueHandle } from '../helpers/http';
import { freePort, type RunningProcess, startProcess } from '../helpers/processes';
import { connectToServer, databaseUrlFor, throwawayDatabaseName } from '../platform/support';

interface Account {
  id: string;
  accessToken: string;
}

/**
 * An API node whose replica never catches up (a copy of the schema that gets only the rows
 * copied into it by hand). A cache refilled from it would go on serving its stale rows long
 * after the replica caught up: refills read the primary.
 */
describe('Cache refills on an API node whose read replica lags', function () {
  this.timeout(60_000);
  const replicaName = throwawayDatabaseName('refill');
  let server: Connection;
  let redis: Redis;
  let node: RunningProcess | undefined;
  let url: string;

  const request = () => supertest(url);

  async function register(prefix: string): Promise<Account> {
    const response = await request()
      .post('/auth/register')
      .send({ ...uniqueHandle(prefix), password: 'correct horse battery' })
      .expect(201);
    return { id: response.body.user.id, accessToken: response.body.accessToken };
  }

  /** The replica catches up with these rows of `table`, and nothing else. */
  async function replicate(table: 'users' | 'tweets', ids: string[]): Promise<void> {
    await server.query(
      `INSERT INTO \`${replicaName}\`.${table} SELECT * FROM \`${config.databaseName}\`.${table} WHERE id IN (?)`,
      [ids],
    );
  }

  async function post(author: Account, content: string): Promise<string> {
    const posted = await request()
      .post('/tweets')
      .set(bearer(author.accessToken))
      .send({ content })
      .expect(201);
    return posted.body.id as string;
  }

  before(async () => {
    server = await connectToServer();
    await server.query(`CREATE DATABASE \`${replicaName}\` CHARACTER SET utf8mb4`);
    const replica = createSequelize(databaseUrlFor(replicaName), 1, []);
    await createMigrator(replica).up();
    await replica.close();
    redis = new Redis(config.redisUrl);
    const port = await freePort();
    node = await startProcess('app/index.ts', {
      PORT: String(port),
      DATABASE_REPLICA_URLS: databaseUrlFor(replicaName),
    });
    url = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await node?.stop();
    redis?.disconnect();
    await server?.query(`DROP DATABASE IF EXISTS \`${replicaName}\``);
    await server?.end();
  });

  it("refills a dropped tweet and the viewer's likes with the primary's like, not the replica's", async () => {
    const [author, fan] = [await register('ca'), await register('cf')];
    await replicate('users', [author.id, fan.id]);
    const tweet = await post(author, 'count my likes');
    await replicate('tweets', [tweet]); // the replica has it with no like, and stays there

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
    const [author, reader] = [await register('ha'), await register('hr')];
    await replicate('users', [author.id, reader.id]);
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
