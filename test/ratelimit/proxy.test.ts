import { expect } from 'chai';
import {
  type ApiNode,
  expectProblemAnswer,
  expectRateLimited,
  forgetSpentBudgets,
  generalBudget,
  garbageRefresh,
  remaining,
  send,
  sendTimes,
  startSmallBudgetNode,
  statuses,
} from './support';

const LIMIT = 5;
// Long enough that the window cannot end halfway through a test: nothing here waits it out.
const WINDOW_SECONDS = 60;

describe('Rate limits: the client address and X-Forwarded-For', function () {
  this.timeout(30_000);
  let direct: ApiNode;
  let behindProxy: ApiNode;

  before(async function () {
    this.timeout(60_000);
    const env = generalBudget(LIMIT, WINDOW_SECONDS);
    [direct, behindProxy] = await Promise.all([
      startSmallBudgetNode(env),
      startSmallBudgetNode({ ...env, TRUST_PROXY: 'true' }),
    ]);
  });
  after(async () => Promise.all([direct?.stop(), behindProxy?.stop()]));
  beforeEach(forgetSpentBudgets);

  it('ignores X-Forwarded-For without TRUST_PROXY: a new value on each request does not dodge the limit', async () => {
    const answers = await sendTimes(6, direct, '/auth/refresh', (i) =>
      garbageRefresh(`198.51.100.${i + 1}`),
    );

    expect(statuses(answers)).to.deep.equal([401, 401, 401, 401, 401, 429]);
    expect(remaining(answers.slice(0, 5))).to.deep.equal(['4', '3', '2', '1', '0']);
    expectRateLimited(answers[5], LIMIT, WINDOW_SECONDS);
  });

  it('gives each address the proxy forwarded its own budget with TRUST_PROXY=true (one hop)', async () => {
    // With one hop the right-most entry is the proxy's view of the client; whatever the client
    // wrote to the left of it does not matter.
    const first = await sendTimes(6, behindProxy, '/auth/refresh', (i) =>
      garbageRefresh(`198.51.100.${i + 1}, 203.0.113.1`),
    );
    expect(statuses(first)).to.deep.equal([401, 401, 401, 401, 401, 429]);
    expectRateLimited(first[5], LIMIT, WINDOW_SECONDS);

    // Another client behind the same proxy (the same socket address) still has all five.
    const second = await sendTimes(
      5,
      behindProxy,
      '/auth/refresh',
      garbageRefresh('203.0.113.1, 203.0.113.2'),
    );
    for (const answer of second) expectProblemAnswer(answer, 401, 'unauthorized');
    expect(remaining(second)).to.deep.equal(['4', '3', '2', '1', '0']);
    // While the first is still refused.
    const firstAgain = await send(behindProxy, '/auth/refresh', garbageRefresh('203.0.113.1'));
    expectRateLimited(firstAgain, LIMIT, WINDOW_SECONDS);
  });
});
