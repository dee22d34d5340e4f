import { expect } from 'chai';
import { loadConfig } from '../../config';
import { createSequelize } from '../../app/infra/db';
import { createRedis } from '../../app/infra/redis';
import { bearer } from '../helpers/http';
import { freePort } from '../helpers/processes';
import { type LaggingReplicaNode, startLaggingReplicaNode } from './laggingReplica';
import { problemsOf, runUntilExit, STACK_LINE } from './support';

describe('DATABASE_REPLICA_URLS', () => {
  it('means no replicas when unset or empty', () => {
    expect(loadConfig({}).databaseReplicas).to.deep.equal([]);
    expect(loadConfig({ DATABASE_REPLICA_URLS: '' }).databaseReplicas).to.deep.equal([]);
  });

  it('reads each URL into host, port, credentials and database (by default that of DATABASE_URL)', () => {
    const loaded = loadConfig({
      DATABASE_URL: 'mysql://root@primary:3306/chirp',
      DATABASE_REPLICA_URLS: 'mysql://reader:s%40cret@replica-1:3307/chirp, mysql://replica-2',
    });
    expect(loaded.databaseReplicas).to.deep.equal([
      {
        host: 'replica-1',
        port: 3307,
        username: 'reader',
        password: 's@cret',
        database: 'chirp',
      },
      {
        host: 'replica-2',
        port: 3306,
        username: undefined,
        password: undefined,
        database: 'chirp',
      },
    ]);
  });

  it('refuses an entry that is not a mysql:// URL, naming the variable and not echoing it', () => {
    const problems = problemsOf({
      DATABASE_REPLICA_URLS: 'mysql://replica-1/chirp,postgres://reader:hunter2@replica-2/chirp',
    });
    expect(problems).to.have.lengthOf(1);
    expect(problems[0]).to.match(
      /^DATABASE_REPLICA_URLS: entry 2 must be a URL such as mysql:\/\//,
    );
    expect(problems[0]).not.to.contain('hunter2');
  });

  it('refuses an empty entry between commas', () => {
    const [problem] = problemsOf({ DATABASE_REPLICA_URLS: 'mysql://replica-1/chirp,,' });
    expect(problem).to.match(/^DATABASE_REPLICA_URLS: entry 2 /);
  });
});

describe('REDIS_SENTINELS and REDIS_SENTINEL_NAME', () => {
  it('mean no Sentinel when unset', () => {
    expect(loadConfig({}).redisSentinel).to.equal(null);
  });

  it('read host:port pairs (IPv6 in brackets) and default the master name to mymaster', () => {
    const loaded = loadConfig({ REDIS_SENTINELS: 'sentinel-1:26379, 10.0.0.7:26380,[::1]:26381' });
    expect(loaded.redisSentinel).to.deep.equal({
      name: 'mymaster',
      sentinels: [
        { host: 'sentinel-1', port: 26379 },
        { host: '10.0.0.7', port: 26380 },
        { host: '::1', port: 26381 },
      ],
    });
    const named = loadConfig({ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'chirp-redis' });
    expect(named.redisSentinel?.name).to.equal('chirp-redis');
  });

  for (const bad of [
    'sentinel-1',
    'sentinel-1:0',
    'sentinel-1:70000',
    'sentinel-1:port',
    ':26379',
  ]) {
    it(`refuses "${bad}", naming REDIS_SENTINELS`, () => {
      const [problem] = problemsOf({ REDIS_SENTINELS: `ok:26379,${bad}` });
      expect(problem).to.match(/^REDIS_SENTINELS \(got ".*"\): entry 2 must be host:port/);
    });
  }

  it('refuses a master name with a space, and one given without sentinels', () => {
    expect(
      problemsOf({ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'my master' })[0],
    ).to.match(/^REDIS_SENTINEL_NAME .*: must be a master name/);
    expect(problemsOf({ REDIS_SENTINEL_NAME: 'mymaster' })[0]).to.match(
      /^REDIS_SENTINEL_NAME .*: is only used with REDIS_SENTINELS/,
    );
  });
});

describe('createSequelize and createRedis with replicas and sentinels', () => {
  it('configures Sequelize replication: reads to the replicas, writes to DATABASE_URL', async () => {
    const { databaseReplicas } = loadConfig({
      DATABASE_REPLICA_URLS: 'mysql://reader:pw@replica-1:3307/chirp,mysql://replica-2/chirp',
    });
    const sequelize = createSequelize('mysql://writer:pw@primary:3306/chirp', 2, databaseReplicas);
    try {
      const replication = sequelize.config.replication;
      expect(replication).to.not.equal(false);
      if (replication === false) return;
      expect(replication.read.map((r) => `${r.host}:${r.port}`)).to.deep.equal([
        'replica-1:3307',
        'replica-2:3306',
      ]);
      expect(replication.read[0]).to.include({ username: 'reader', database: 'chirp' });
      expect(replication.write).to.include({
        host: 'primary',
        port: 3306,
        username: 'writer',
        database: 'chirp',
      });
    } finally {
      await sequelize.close();
    }
  });

  it('leaves replication off without replicas', async () => {
    const sequelize = createSequelize('mysql://root@primary:3306/chirp', 2, []);
    expect(sequelize.config.replication).to.equal(false);
    await sequelize.close();
  });

  it('connects ioredis through the sentinels, to the named master, keeping the db', () => {
    const target = loadConfig({
      REDIS_URL: 'redis://:pw@ignored-host:6379/5',
      REDIS_SENTINELS: 'sentinel-1:26379,sentinel-2:26379',
      REDIS_SENTINEL_NAME: 'chirp-redis',
    });
    const client = createRedis({ name: 'sentinel-test', lazyConnect: true }, target);
    try {
      expect(client.options.sentinels).to.deep.equal([
        { host: 'sentinel-1', port: 26379 },
        { host: 'sentinel-2', port: 26379 },
      ]);
      expect(client.options).to.include({ name: 'chirp-redis', db: 5, password: 'pw' });
      expect(client.status).to.equal('wait'); // nothing was dialled
    } finally {
      client.disconnect();
    }
    const plain = createRedis({ name: 'plain-test', lazyConnect: true }, loadConfig({}));
    expect(plain.options.sentinels).to.equal(null);
    plain.disconnect();
  });

  it('stops the API with a sentence when no sentinel answers', async () => {
    const port = await freePort();
    const { code, output } = await runUntilExit('app/index.ts', {
      REDIS_SENTINELS: `127.0.0.1:${port}`,
      LOG_LEVEL: 'info',
    });
    expect(code).to.equal(69);
    expect(output).to.contain(`No Redis Sentinel is answering at 127.0.0.1:${port}`);
    expect(output).to.contain('REDIS_SENTINELS');
    expect(output).not.to.match(STACK_LINE);
  });
});

/** Whatever the node answers from its replica is stale (test/platform/laggingReplica.ts). */
describe('an API node with a read replica that lags', function () {
  this.timeout(60_000);
  let lagging: LaggingReplicaNode;

  before(async () => {
    lagging = await startLaggingReplicaNode('lag');
  });

  after(async () => {
    await lagging?.stop();
  });

  it('answers a follow with the change it made, while plain reads come from the replica', async () => {
    const [reader, author] = [await lagging.register('rr'), await lagging.register('ra')];
    await lagging.replicate('users', [reader.id, author.id]);

    const follow = await lagging
      .request()
      .post(`/users/${author.id}/follow`)
      .set(bearer(reader.accessToken))
      .expect(200);
    expect(follow.body).to.include({ following: true, followersCount: 1 });

    // A later read is served by the replica, which has not seen the follow.
    const later = await lagging
      .request()
      .get(`/users/${author.id}`)
      .set(bearer(reader.accessToken));
    expect(later.status).to.equal(200);
    expect(later.body).to.include({ following: false, followersCount: 0 });
  });

  it('answers POST /tweets with the new tweet, which the replica does not have', async () => {
    const author = await lagging.register('rt');
    await lagging.replicate('users', [author.id]);
    const posted = await lagging
      .request()
      .post('/tweets')
      .set(bearer(author.accessToken))
      .send({ content: 'read from the primary' });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
    expect(posted.body).to.include({ content: 'read from the primary' });
    expect(posted.body.author).to.include({ id: author.id });
  });

  it('keeps sessions working though the replica has not got the new user at all', async () => {
    const fresh = await lagging.register('rn');
    const me = await lagging.request().get('/tweets').set(bearer(fresh.accessToken));
    expect(me.status, JSON.stringify(me.body)).to.equal(200);
  });
});
