import { expect } from 'chai';
import { Cluster } from 'ioredis';
import { loadConfig } from '../../config';
import { createRoleRedis } from '../../app/infra/redis';
import { freePort } from '../helpers/processes';
import { problemsOf, runUntilExit, STACK_LINE } from '../platform/support';

describe('REDIS_CACHE_URL and REDIS_PUBSUB_URL', () => {
  it('default to REDIS_URL, Sentinel included, and name channels after its database', () => {
    const loaded = loadConfig({
      REDIS_URL: 'redis://:pw@10.0.0.5:6379/4',
      REDIS_SENTINELS: 'sentinel-1:26379',
    });
    const main = {
      kind: 'single',
      url: 'redis://:pw@10.0.0.5:6379/4',
      sentinel: { sentinels: [{ host: 'sentinel-1', port: 26379 }], name: 'mymaster' },
    };
    expect(loaded.redis).to.deep.equal({ main, cache: main, pubsub: main });
    expect(loaded.pubsubPrefix).to.equal('chirp:4:');
  });

  it('give a role its own server, without the sentinels, and channels its database', () => {
    const loaded = loadConfig({
      REDIS_URL: 'redis://10.0.0.5:6379/0',
      REDIS_SENTINELS: 'sentinel-1:26379',
      REDIS_CACHE_URL: 'rediss://:secret@cache.internal:6380/2',
      REDIS_PUBSUB_URL: 'redis://pubsub.internal:6379/7',
    });
    expect(loaded.redis.cache).to.deep.equal({
      kind: 'single',
      url: 'rediss://:secret@cache.internal:6380/2',
      sentinel: null,
    });
    expect(loaded.redis.pubsub).to.deep.equal({
      kind: 'single',
      url: 'redis://pubsub.internal:6379/7',
      sentinel: null,
    });
    expect(loaded.redis.main.kind === 'single' && loaded.redis.main.sentinel).to.not.equal(null);
    expect(loaded.pubsubPrefix).to.equal('chirp:7:');
  });

  it('treat a role set to REDIS_URL itself as the default (Sentinel applies)', () => {
    const loaded = loadConfig({
      REDIS_URL: 'redis://10.0.0.5:6379/3',
      REDIS_SENTINELS: 'sentinel-1:26379',
      REDIS_CACHE_URL: 'redis://10.0.0.5:6379/3',
    });
    expect(loaded.redis.cache).to.equal(loaded.redis.main);
  });

  it('read redis+cluster:// as seed nodes (IPv6 in brackets) with optional credentials', () => {
    const loaded = loadConfig({
      REDIS_PUBSUB_URL: 'redis+cluster://chirp:p%40ss@redis-1:7000,10.0.0.8:7001,[::1]:7002',
    });
    expect(loaded.redis.pubsub).to.deep.equal({
      kind: 'cluster',
      nodes: [
        { host: 'redis-1', port: 7000 },
        { host: '10.0.0.8', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      username: 'chirp',
      password: 'p@ss',
    });
    expect(loaded.pubsubPrefix).to.equal('chirp:0:');
    const anonymous = loadConfig({ REDIS_PUBSUB_URL: 'redis+cluster://127.0.0.1:7000/' });
    expect(anonymous.redis.pubsub).to.deep.equal({
      kind: 'cluster',
      nodes: [{ host: '127.0.0.1', port: 7000 }],
      username: undefined,
      password: undefined,
    });
  });

  for (const bad of [
    'http://cache:6379',
    'cache:6379',
    'redis+cluster://',
    'redis+cluster://redis-1:7000,redis-2',
    'redis+cluster://redis-1:7000,,redis-2:7001',
    'redis+cluster://redis-1:70000',
    'redis+cluster://redis-1:7000/3',
  ]) {
    it(`refuse "${bad}", naming the variable without echoing its value`, () => {
      const problems = problemsOf({ REDIS_PUBSUB_URL: bad, REDIS_CACHE_URL: bad });
      expect(problems.some((p) => p.startsWith('REDIS_PUBSUB_URL: '))).to.equal(true);
      expect(problems.some((p) => p.startsWith('REDIS_CACHE_URL: '))).to.equal(true);
      for (const problem of problems) expect(problem).not.to.contain(bad);
    });
  }

  it('name the bad cluster seed by its position', () => {
    const [problem] = problemsOf({ REDIS_PUBSUB_URL: 'redis+cluster://a:7000,b:x' });
    expect(problem).to.match(/^REDIS_PUBSUB_URL: cluster seed entry 2 must be host:port/);
  });

  // A password is read with decodeURIComponent: a bad escape threw a URIError with a stack
  // trace from deep in start-up instead of a sentence naming the variable.
  for (const [name, bad] of [
    ['REDIS_CACHE_URL', 'redis+cluster://app:%zz@redis-1:7000'],
    ['REDIS_PUBSUB_URL', 'redis://:%e9@pubsub:6379/0'],
    ['REDIS_URL', 'redis://:50%@redis:6379/0'],
    ['DATABASE_URL', 'mysql://chirp:%zz@db:3306/chirp'],
    ['DATABASE_URL', 'mysql://root@db:3306/chi%zzrp'],
  ]) {
    it(`refuse a malformed %-escape in ${name}, naming the variable without echoing it`, () => {
      const problems = problemsOf({ [name]: bad });
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(new RegExp(`^${name}: has a malformed %-escape`));
      expect(problems[0]).not.to.contain(bad);
    });
  }

  it('take well-formed escapes in passwords (%40 is @)', () => {
    const loaded = loadConfig({
      REDIS_CACHE_URL: 'redis+cluster://app:p%40ss@redis-1:7000',
      DATABASE_URL: 'mysql://chirp:p%40ss@db:3306/chirp',
    });
    expect(loaded.redis.cache.kind === 'cluster' && loaded.redis.cache.password).to.equal('p@ss');
  });

  it('take a cluster for the cache role (its keys and scripts keep to slots: decision 17)', () => {
    const { cache } = loadConfig({ REDIS_CACHE_URL: 'redis+cluster://redis-1:7000' }).redis;
    expect(cache.kind === 'cluster' && cache.nodes).to.deep.equal([
      { host: 'redis-1', port: 7000 },
    ]);
  });
});

describe('createRoleRedis', () => {
  it('opens a Cluster through the seeds for a cluster endpoint, one server otherwise', () => {
    const target = loadConfig({
      REDIS_URL: 'redis://10.0.0.5:6379/5',
      REDIS_PUBSUB_URL: 'redis+cluster://:pw@redis-1:7000,redis-2:7001',
    });
    const pubsub = createRoleRedis('pubsub', { name: 'pubsub-test', lazyConnect: true }, target);
    const main = createRoleRedis('main', { name: 'main-test', lazyConnect: true }, target);
    try {
      expect(pubsub).to.be.instanceOf(Cluster);
      if (!(pubsub instanceof Cluster)) return;
      expect((pubsub as unknown as { startupNodes: unknown }).startupNodes).to.deep.equal([
        { host: 'redis-1', port: 7000 },
        { host: 'redis-2', port: 7001 },
      ]);
      expect(pubsub.options.redisOptions).to.include({
        password: 'pw',
        connectionName: 'chirp:pubsub-test',
      });
      expect(pubsub.status).to.equal('wait'); // nothing was dialled
      expect(main).not.to.be.instanceOf(Cluster);
      expect(main.options).to.include({ host: '10.0.0.5', db: 5 });
    } finally {
      pubsub.disconnect();
      main.disconnect();
    }
  });
});

describe('start-up with a cache or pub/sub Redis that does not answer', () => {
  it('stops the API with a sentence naming the variable and the address', async function () {
    this.timeout(20_000);
    const [cachePort, pubsubPort] = [await freePort(), await freePort()];
    const { code, output } = await runUntilExit('app/index.ts', {
      REDIS_CACHE_URL: `redis://127.0.0.1:${cachePort}/0`,
      REDIS_PUBSUB_URL: `redis+cluster://127.0.0.1:${pubsubPort}`,
      LOG_LEVEL: 'info',
    });
    expect(code).to.equal(69);
    expect(output).to.contain(
      `Redis is not answering at 127.0.0.1:${cachePort} (ECONNREFUSED) (from REDIS_CACHE_URL)`,
    );
    expect(output).to.contain(
      `Redis is not answering at 127.0.0.1:${pubsubPort} (ECONNREFUSED) (from REDIS_PUBSUB_URL)`,
    );
    expect(output).not.to.match(STACK_LINE);
  });
});
