import { expect } from 'chai';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import { bearer, uniqueHandle } from '../helpers/http';
import { type ReplicatedPair, startReplicatedPair } from '../helpers/mariadb';
import { metricsAuth } from '../helpers/metrics';
import { OwnRedis } from '../helpers/services';

interface Account {
  id: string;
  accessToken: string;
}

/**
 * An API node on a MariaDB primary and a real replica of it (test/helpers/mariadb.ts): two
 * `mariadbd` processes of the test's own, the replica applying the primary's binlog. The
 * node has a Redis of its own too: the pair's ids start at 1 and would meet the suite's
 * cached rows in the suite's Redis database.
 *
 * What must hold while the replica's SQL thread is stopped (it receives the binlog but
 * applies nothing, as a replica that fell far behind): every answer to a write shows the
 * write, a session works from its first request, and nothing answers 5xx. Plain reads of
 * other people's data may be stale until the replica catches up: that is the bargain
 * replicas make, and the test shows it happening (the read is the replica's).
 */
describe('Chirp on a real MariaDB replica', function () {
  this.timeout(120_000);
  let pair: ReplicatedPair;
  let redis: OwnRedis;
  let node: ApiNode;

  const request = () => node.client();

  async function register(prefix: string): Promise<Account> {
    const response = await request()
      .post('/auth/register')
      .send({ ...uniqueHandle(prefix), password: 'correct horse battery' });
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    return { id: response.body.user.id, accessToken: response.body.accessToken };
  }

  /** A global status counter of one server (Com_select: SELECTs it ran). */
  async function statusCounter(server: 'primary' | 'replica', name: string): Promise<number> {
    const [row] = await pair[server].query<{ Value: string }>('SHOW GLOBAL STATUS LIKE ?', [name]);
    return Number(row.Value);
  }

  async function scrape(): Promise<string> {
    const response = await request().get('/metrics').set(metricsAuth()).expect(200);
    return response.text;
  }

  /** The replica's sample of `name`, or undefined when /metrics has no such series. */
  function replicaSample(text: string, name: string): number | undefined {
    const labels = `{replica="1",host="127.0.0.1:${pair.replica.port}"}`;
    const line = text.split('\n').find((entry) => entry.startsWith(`${name}${labels} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  }

  before(async () => {
    pair = await startReplicatedPair();
    redis = await OwnRedis.create();
    await redis.start();
    node = await startApiNode({
      DATABASE_URL: pair.primary.url(pair.database),
      DATABASE_REPLICA_URLS: pair.replica.url(pair.database),
      REDIS_URL: redis.url,
    });
  });

  after(async () => {
    await node?.stop();
    await redis?.stop();
    await pair?.stop();
  });

  it('sends plain reads to the replica, which has the rows once it caught up', async () => {
    const [reader, author] = [await register('rr'), await register('ra')];
    await pair.caughtUp();
    const before = await statusCounter('replica', 'Com_select');

    for (let i = 0; i < 5; i += 1) {
      const profile = await request()
        .get(`/users/${author.id}`)
        .set(bearer(reader.accessToken))
        .expect(200);
      expect(profile.body).to.include({ id: author.id, followersCount: 0 });
    }

    // At least one SELECT per profile read ran on the replica (session checks read the primary).
    expect((await statusCounter('replica', 'Com_select')) - before).to.be.at.least(5);
  });

  it('reports the replica running, its lag known, in /metrics while it applies the binlog', async () => {
    await pair.caughtUp();
    const text = await scrape();
    // A number of seconds (0 when idle, as here), not -1: how far behind is not asserted.
    expect(replicaSample(text, 'chirp_mysql_replica_lag_seconds')).to.be.at.least(0);
    expect(replicaSample(text, 'chirp_mysql_replica_running')).to.equal(1);
    expect(text).to.contain('# TYPE chirp_mysql_replica_lag_seconds gauge');
  });

  describe('while the replica applies nothing (STOP SLAVE SQL_THREAD)', () => {
    // Both on the replica before it stops: what the replica answers of them is stale.
    let [reader, author]: Account[] = [];

    before(async () => {
      [reader, author] = [await register('fr'), await register('fa')];
      await pair.caughtUp();
      await pair.stopApplying();
    });

    after(async () => {
      await pair.resumeApplying();
    });

    it('keeps an account registered meanwhile working: its own reads and its writes', async () => {
      const handle = uniqueHandle('nu');
      const registered = await request()
        .post('/auth/register')
        .send({ ...handle, password: 'correct horse battery' })
        .expect(201);
      const auth = bearer(registered.body.accessToken as string);
      const id = registered.body.user.id as string;

      // The viewer's own account is read from the primary: the replica has no such user.
      const me = await request().get('/users/me').set(auth);
      expect(me.status, JSON.stringify(me.body)).to.equal(200);
      expect(me.body).to.include({ id, username: handle.username });
      const own = await request().get(`/users/${id}`).set(auth);
      expect(own.status, JSON.stringify(own.body)).to.equal(200);

      const renamed = await request()
        .patch('/users/me')
        .set(auth)
        .send({ displayName: 'Renamed' })
        .expect(200);
      expect(renamed.body).to.include({ displayName: 'Renamed' });
      const after = await request().get('/users/me').set(auth).expect(200);
      expect(after.body).to.include({ displayName: 'Renamed' });

      // Signing in and refreshing read the primary (the replica lacks the account and token).
      await request()
        .post('/auth/login')
        .send({ username: handle.username, password: 'correct horse battery' })
        .expect(200);
      await request()
        .post('/auth/refresh')
        .send({ refreshToken: registered.body.refreshToken })
        .expect(200);

      const posted = await request().post('/tweets').set(auth).send({ content: 'first words' });
      expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
      expect(posted.body).to.include({ content: 'first words' });
      expect(posted.body.author).to.include({ id, displayName: 'Renamed' });
      const read = await request().get(`/tweets/${posted.body.id}`).set(auth).expect(200);
      expect(read.body).to.include({ id: posted.body.id, content: 'first words' });
    });

    it('answers a follow and a like with the change made; a later profile read is stale', async () => {
      const follow = await request()
        .post(`/users/${author.id}/follow`)
        .set(bearer(reader.accessToken));
      expect(follow.status, JSON.stringify(follow.body)).to.equal(200);
      expect(follow.body).to.include({ id: author.id, following: true, followersCount: 1 });

      const tweet = await request()
        .post('/tweets')
        .set(bearer(author.accessToken))
        .send({ content: 'like me' })
        .expect(201);
      const like = await request()
        .post(`/tweets/${tweet.body.id}/like`)
        .set(bearer(reader.accessToken));
      expect(like.status, JSON.stringify(like.body)).to.equal(200);
      expect(like.body).to.deep.equal({ liked: true, likesCount: 1 });

      // Stale-tolerant, and expected stale: another user's profile is the replica's, which
      // has applied neither the follow nor the tweet. It answers 200, not an error.
      const later = await request()
        .get(`/users/${author.id}`)
        .set(bearer(reader.accessToken))
        .expect(200);
      expect(later.body).to.include({ following: false, followersCount: 0, tweetsCount: 0 });
    });

    it('reports the replica stopped in /metrics: running 0, lag -1 (MariaDB says NULL)', async () => {
      const text = await scrape();
      expect(replicaSample(text, 'chirp_mysql_replica_running')).to.equal(0);
      expect(replicaSample(text, 'chirp_mysql_replica_lag_seconds')).to.equal(-1);
    });

    it('shows the writes made meanwhile once the replica applies them again', async () => {
      await pair.resumeApplying();
      await pair.caughtUp();
      const profile = await request()
        .get(`/users/${author.id}`)
        .set(bearer(reader.accessToken))
        .expect(200);
      expect(profile.body).to.include({ following: true, followersCount: 1, tweetsCount: 1 });
      const followers = await request()
        .get(`/users/${author.id}/followers`)
        .set(bearer(reader.accessToken))
        .expect(200);
      const listed = (followers.body as { data: { id: string }[] }).data.map((user) => user.id);
      expect(listed).to.deep.equal([reader.id]);
      const text = await scrape();
      expect(replicaSample(text, 'chirp_mysql_replica_running')).to.equal(1);
      expect(replicaSample(text, 'chirp_mysql_replica_lag_seconds')).to.be.at.least(0);
    });
  });
});
