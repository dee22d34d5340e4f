import { expect } from 'chai';
import mysql from 'mysql2/promise';
import { config } from '../../config';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import { TcpRelay } from '../helpers/services';
import { postTweet } from '../helpers/socialGraph';

/** How long the second connection holds its lock at most: the fault the issue names. */
const LOCK_HELD_MS = 10_000;
/** A request still open after this has hung past the lock: the test fails instead of waiting. */
const GIVE_UP_MS = LOCK_HELD_MS - 1000;

/** A transaction of another MySQL client holding `SELECT ... FOR UPDATE` on one tweet row. */
async function lockTweet(tweetId: string): Promise<{ release(): Promise<void> }> {
  const connection = await mysql.createConnection({ uri: config.databaseUrl });
  await connection.beginTransaction();
  await connection.query('SELECT id FROM tweets WHERE id = ? FOR UPDATE', [tweetId]);
  let released: Promise<void> | undefined;
  const release = () => {
    released ??= connection.rollback().finally(() => connection.end());
    return released;
  };
  const timer = setTimeout(() => void release(), LOCK_HELD_MS);
  return {
    release: () => {
      clearTimeout(timer);
      return release();
    },
  };
}

const like = (user: TestUser, tweetId: string) =>
  api().post(`/tweets/${tweetId}/like`).set(bearer(user.accessToken)).timeout(GIVE_UP_MS);

describe('A write while MariaDB holds a lock it needs', function () {
  this.timeout(60_000);

  it('answers 503 unavailable with Retry-After before the lock is let go, then likes once', async () => {
    const author = await registerUser();
    const fan = await registerUser();
    const tweet = await postTweet(author, 'a row someone else is holding');

    const lock = await lockTweet(tweet.id);
    try {
      // More likes at once than the pool has connections: each one waits its bounded turn.
      const refusals = await Promise.all(Array.from({ length: 12 }, () => like(fan, tweet.id)));
      for (const refused of refusals) {
        expectProblem(refused, 503, 'unavailable');
        expect(Number(refused.headers['retry-after'])).to.be.within(1, 10);
      }
      // Every request that waited gave its connection back: the API still answers others.
      const other = await api()
        .get(`/tweets/${tweet.id}`)
        .set(bearer(fan.accessToken))
        .timeout(GIVE_UP_MS);
      expect(other.status).to.equal(200);
    } finally {
      await lock.release();
    }

    const liked = await like(fan, tweet.id);
    expect(liked.status, JSON.stringify(liked.body)).to.equal(200);
    expect(liked.body).to.deep.equal({ liked: true, likesCount: 1 });
  });
});

describe('A request while the API cannot reach MariaDB', function () {
  this.timeout(90_000);
  let relay: TcpRelay;
  let apiNode: ApiNode | undefined;
  let base: string;

  before(async function () {
    this.timeout(45_000);
    const target = new URL(config.databaseUrl);
    relay = await TcpRelay.create({ host: target.hostname, port: Number(target.port) || 3306 });
    await relay.open();
    const throughRelay = new URL(config.databaseUrl);
    throughRelay.hostname = '127.0.0.1';
    throughRelay.port = String(relay.port);
    apiNode = await startApiNode({ DATABASE_URL: throughRelay.toString() });
    base = apiNode.url;
  });

  after(async () => {
    await apiNode?.stop();
    await relay?.close();
  });

  const postAs = (user: TestUser) =>
    fetch(`${base}/tweets`, {
      method: 'POST',
      headers: { ...bearer(user.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: 'written while MariaDB is away' }),
      signal: AbortSignal.timeout(GIVE_UP_MS),
    });

  it('answers 503 unavailable with Retry-After, and serves again once MariaDB is back', async () => {
    const user = await registerUser();
    const before = await postAs(user);
    expect(before.status).to.equal(201);

    await relay.close();
    const refused = await postAs(user);
    expect(refused.status, await refused.clone().text()).to.equal(503);
    expect(refused.headers.get('retry-after')).to.match(/^\d+$/);
    expect(((await refused.json()) as { code: string }).code).to.equal('unavailable');

    await relay.open();
    const after = await postAs(user);
    expect(after.status, await after.clone().text()).to.equal(201);
  });
});
