import { expect } from 'chai';
import { registerUser, type TestUser } from '../helpers/http';
import { eventually } from '../helpers/poll';
import { OwnRedis } from '../helpers/services';
import {
  type ApiNode,
  expectRateLimited,
  generalBudget,
  remaining,
  send,
  sendTimes,
  startSmallBudgetNode,
  statuses,
} from './support';

const LIMIT = 5;
// Long enough that the in-memory window cannot end halfway through the test.
const WINDOW_SECONDS = 30;

describe('Rate limits while Redis is away', function () {
  this.timeout(60_000);
  let ownRedis: OwnRedis;
  let node: ApiNode;
  let alice: TestUser;

  before(async () => {
    ownRedis = await OwnRedis.create();
    await ownRedis.start();
    [node, alice] = await Promise.all([
      startSmallBudgetNode({
        REDIS_URL: ownRedis.url,
        ...generalBudget(LIMIT, WINDOW_SECONDS),
      }),
      registerUser(), // in MySQL, which the node shares with this process
    ]);
  });
  after(async () => {
    await node?.stop();
    await ownRedis?.stop();
  });

  it('falls back to a per-node in-memory limit instead of failing, and counts in Redis again once it is back', async () => {
    const me = { token: alice.accessToken };
    const first = await send(node, '/users/me', me);
    expect(first.status).to.equal(200);
    expect(first.headers.get('ratelimit-remaining')).to.equal('4');

    await ownRedis.stop();
    await eventually(
      () => send(node, '/readyz'),
      (answer) => answer.status === 503,
      'GET /readyz once Redis is stopped',
    );

    // MySQL can still answer these: they are served, not failed (send() fails on a hang).
    const health = await send(node, '/healthz');
    expect(health.status).to.equal(200);
    const answers = await sendTimes(6, node, '/users/me', me);
    expect(statuses(answers)).to.deep.equal([200, 200, 200, 200, 200, 429]);
    for (const answer of answers.slice(0, 5)) expect(answer.body).to.include({ id: alice.id });
    // The node's own count, started afresh: the request made before Redis left is not in it.
    expect(remaining(answers.slice(0, 5))).to.deep.equal(['4', '3', '2', '1', '0']);
    expectRateLimited(answers[5], LIMIT, WINDOW_SECONDS);

    await ownRedis.start();
    await eventually(
      () => send(node, '/readyz'),
      (answer) => answer.status === 200,
      'GET /readyz once Redis is back',
      15_000,
    );
    // The restarted Redis is empty: counted there again, the user has a whole budget (the
    // in-memory count, which refuses them, is no longer asked).
    const back = await eventually(
      () => send(node, '/users/me', me),
      (answer) => answer.status !== 429,
      'GET /users/me once Redis is back',
      15_000,
    );
    expect(back.status).to.equal(200);
    expect(back.headers.get('ratelimit-remaining')).to.equal('4');
    expect(node.process.child.exitCode, 'the API process kept running').to.equal(null);
  });
});
