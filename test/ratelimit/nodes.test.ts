import { expect } from 'chai';
import { registerUser } from '../helpers/http';
import {
  type ApiNode,
  expectRateLimited,
  forgetSpentBudgets,
  generalBudget,
  garbageRefresh,
  remaining,
  send,
  startSmallBudgetNode,
  statuses,
} from './support';

const LIMIT = 5;
// Long enough that the window cannot end halfway through a test: nothing here waits it out.
const WINDOW_SECONDS = 60;

describe('Rate limits: one budget shared by every API node (through Redis)', function () {
  this.timeout(30_000);
  let nodeA: ApiNode;
  let nodeB: ApiNode;

  before(async function () {
    this.timeout(60_000);
    const env = generalBudget(LIMIT, WINDOW_SECONDS);
    [nodeA, nodeB] = await Promise.all([startSmallBudgetNode(env), startSmallBudgetNode(env)]);
  });
  after(async () => Promise.all([nodeA?.stop(), nodeB?.stop()]));
  beforeEach(forgetSpentBudgets);

  it('refuses the 6th request of a user whichever node serves it', async () => {
    const alice = await registerUser();
    await forgetSpentBudgets();
    const me = { token: alice.accessToken };

    const onA = [];
    for (let i = 0; i < 3; i += 1) onA.push(await send(nodeA, '/users/me', me));
    const onB = [];
    for (let i = 0; i < 3; i += 1) onB.push(await send(nodeB, '/users/me', me));

    expect(statuses(onA)).to.deep.equal([200, 200, 200]);
    expect(remaining(onA)).to.deep.equal(['4', '3', '2']);
    expect(statuses(onB.slice(0, 2))).to.deep.equal([200, 200]);
    expect(remaining(onB.slice(0, 2))).to.deep.equal(['1', '0']);
    expectRateLimited(onB[2], LIMIT, WINDOW_SECONDS);
    // And the node that served the first three refuses as well.
    expectRateLimited(await send(nodeA, '/users/me', me), LIMIT, WINDOW_SECONDS);
  });

  it("counts an address's anonymous requests on both nodes against one budget", async () => {
    const answers = [];
    for (const node of [nodeA, nodeB, nodeA, nodeB, nodeA, nodeB]) {
      answers.push(await send(node, '/auth/refresh', garbageRefresh()));
    }

    expect(statuses(answers)).to.deep.equal([401, 401, 401, 401, 401, 429]);
    expect(remaining(answers.slice(0, 5))).to.deep.equal(['4', '3', '2', '1', '0']);
    expectRateLimited(answers[5], LIMIT, WINDOW_SECONDS);
  });
});
