import { expect } from 'chai';
import {
  type ApiNode,
  expectRateLimited,
  forgetSpentBudgets,
  generalBudget,
  garbageRefresh,
  sendTimes,
  startSmallBudgetNode,
  statuses,
} from '../ratelimit/support';

const LIMIT = 5;
const WINDOW_SECONDS = 60;

describe('Security: a client cannot choose its own address behind trusted proxies', function () {
  this.timeout(30_000);
  let oneHop: ApiNode;
  let twoHops: ApiNode;

  before(async function () {
    this.timeout(60_000);
    const env = generalBudget(LIMIT, WINDOW_SECONDS);
    [oneHop, twoHops] = await Promise.all([
      startSmallBudgetNode({ ...env, TRUST_PROXY: 'true' }),
      startSmallBudgetNode({ ...env, TRUST_PROXY: '2' }),
    ]);
  });
  after(async () => Promise.all([oneHop?.stop(), twoHops?.stop()]));
  beforeEach(forgetSpentBudgets);

  it('limits 15 requests whose left-most X-Forwarded-For entry varies, behind one proxy', async () => {
    // The proxy appends the address it saw (203.0.113.9); the client wrote the rest.
    const answers = await sendTimes(15, oneHop, '/auth/refresh', (i) =>
      garbageRefresh(`198.51.100.${i + 1}, 203.0.113.9`),
    );

    expect(statuses(answers).slice(0, 5)).to.deep.equal([401, 401, 401, 401, 401]);
    for (const refused of answers.slice(5)) expectRateLimited(refused, LIMIT, WINDOW_SECONDS);
  });

  it('limits a client behind two proxies by the entry the outer proxy wrote', async () => {
    // Client-written entries, then the load balancer's view of the client, then nginx's view
    // of the load balancer.
    const answers = await sendTimes(8, twoHops, '/auth/refresh', (i) =>
      garbageRefresh(`10.0.0.${i + 1}, 203.0.113.7, 192.0.2.1`),
    );

    expect(statuses(answers)).to.deep.equal([401, 401, 401, 401, 401, 429, 429, 429]);
    expectRateLimited(answers[7], LIMIT, WINDOW_SECONDS);
  });
});
