import { expect } from 'chai';
import { redis } from '../../app/infra/redis';
import { keys } from '../../app/cache/keys';
import { registerUser, type TestUser } from '../helpers/http';
import {
  type ApiNode,
  expectRateLimited,
  forgetSpentBudgets,
  generalBudget,
  send,
  sendTimes,
  startSmallBudgetNode,
  statuses,
} from '../ratelimit/support';

const LIMIT = 5;
const WINDOW_SECONDS = 60;

describe('Security: an over-budget request costs no more than its refusal', function () {
  this.timeout(30_000);
  let node: ApiNode;
  let alice: TestUser;
  let bob: TestUser;

  before(async function () {
    this.timeout(60_000);
    [node, alice, bob] = await Promise.all([
      startSmallBudgetNode(generalBudget(LIMIT, WINDOW_SECONDS)),
      registerUser(),
      registerUser(),
    ]);
  });
  after(async () => node?.stop());
  beforeEach(forgetSpentBudgets);

  it('answers GET /tweets 429 with a spent budget and leaves a cold timeline unbuilt', async () => {
    const spent = await sendTimes(LIMIT, node, '/users/me', { token: alice.accessToken });
    expect(statuses(spent)).to.deep.equal([200, 200, 200, 200, 200]);
    await redis.del(keys.home(alice.id), keys.celebrities(alice.id));

    const refused = await send(node, '/tweets', { token: alice.accessToken });

    expectRateLimited(refused, LIMIT, WINDOW_SECONDS);
    expect(await redis.exists(keys.home(alice.id)), 'the home timeline in Redis').to.equal(0);
  });

  it('builds a cold timeline for a request within budget', async () => {
    await redis.del(keys.home(bob.id), keys.celebrities(bob.id));

    const answer = await send(node, '/tweets', { token: bob.accessToken });

    expect(answer.status).to.equal(200);
    expect(await redis.exists(keys.home(bob.id)), 'the home timeline in Redis').to.equal(1);
  });

  it('still answers a warm timeline read within budget, and refuses it once spent', async () => {
    const answers = await sendTimes(LIMIT + 1, node, '/tweets', { token: bob.accessToken });
    expect(statuses(answers)).to.deep.equal([200, 200, 200, 200, 200, 429]);
  });
});
