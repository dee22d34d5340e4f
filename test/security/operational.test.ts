import { expect } from 'chai';
import Redis from 'ioredis';
import { api, bearer, registerUser } from '../helpers/http';
import { metricsAuth } from '../helpers/metrics';
import { expectProblem } from '../helpers/problems';
import { OwnRedis } from '../helpers/services';
import {
  type ApiNode,
  expectProblemAnswer,
  send,
  sleep,
  startSmallBudgetNode,
} from '../ratelimit/support';

describe('GET /metrics behind METRICS_TOKEN', () => {
  it('refuses a scrape without the token: 401 unauthorized', async () => {
    expectProblem(await api().get('/metrics'), 401, 'unauthorized');
  });

  it('refuses a wrong token, and a user access token', async () => {
    expectProblem(await api().get('/metrics').set(bearer('not-the-token')), 401, 'unauthorized');
    const user = await registerUser();
    expectProblem(await api().get('/metrics').set(bearer(user.accessToken)), 401, 'unauthorized');
  });

  it('answers a scrape that sends the token', async () => {
    const response = await api().get('/metrics').set(metricsAuth()).expect(200);
    expect(response.text).to.contain('chirp_http_requests_total');
  });

  describe('on a node without METRICS_TOKEN', function () {
    this.timeout(60_000);
    let node: ApiNode;

    before(async () => {
      node = await startSmallBudgetNode({ METRICS_TOKEN: '', LOG_LEVEL: 'silent' });
    });

    after(async () => {
      await node?.stop();
    });

    it('is off: 403 forbidden, saying to set METRICS_TOKEN', async () => {
      const answer = await send(node, '/metrics');
      expectProblemAnswer(answer, 403, 'forbidden');
      expect(answer.body?.detail).to.contain('METRICS_TOKEN');
    });
  });
});

describe('GET /readyz under a burst of probes', function () {
  this.timeout(60_000);
  let ownRedis: OwnRedis;
  let probe: Redis;
  let node: ApiNode;

  /** How many PINGs the node's own Redis server has answered so far (readiness sends them). */
  async function pings(): Promise<number> {
    const stats = await probe.info('commandstats');
    return Number(/cmdstat_ping:calls=(\d+)/.exec(stats)?.[1] ?? 0);
  }

  before(async () => {
    ownRedis = await OwnRedis.create();
    await ownRedis.start();
    probe = new Redis(ownRedis.url);
    node = await startSmallBudgetNode({ REDIS_URL: ownRedis.url, LOG_LEVEL: 'silent' });
  });

  after(async () => {
    await node?.stop();
    probe?.disconnect();
    await ownRedis?.stop();
  });

  it('checks MySQL and Redis at most once for 20 concurrent probes, and again a second later', async () => {
    await sleep(1100); // past any verdict kept from start-up
    const before = await pings();
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(node, '/readyz')));
    expect(answers.map((answer) => answer.status)).to.deep.equal(Array(20).fill(200));
    const afterBurst = await pings();
    expect(afterBurst - before, 'PINGs for the burst').to.equal(1);

    await sleep(1100);
    expect((await send(node, '/readyz')).status).to.equal(200);
    expect((await pings()) - afterBurst, 'PINGs a second later').to.equal(1);
  });
});
