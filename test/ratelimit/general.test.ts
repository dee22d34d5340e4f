import { expect } from 'chai';
import { registerUser, type TestUser } from '../helpers/http';
import { metricsAuth } from '../helpers/metrics';
import { eventually } from '../helpers/poll';
import {
  type ApiNode,
  expectProblemAnswer,
  expectRateLimited,
  expectResetHeader,
  forgetSpentBudgets,
  generalBudget,
  garbageRefresh,
  remaining,
  send,
  sendTimes,
  sleep,
  startSmallBudgetNode,
  statuses,
} from './support';

const LIMIT = 5;
const WINDOW_SECONDS = 2;

describe('Rate limits: RATE_LIMIT_POINTS per RATE_LIMIT_DURATION for every request', function () {
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

  describe('signed in: per user', () => {
    it('answers the 6th request in the window 429 rate_limited, counting RateLimit-Remaining down before', async () => {
      const answers = await sendTimes(6, node, '/users/me', { token: alice.accessToken });

      expect(statuses(answers)).to.deep.equal([200, 200, 200, 200, 200, 429]);
      expect(remaining(answers.slice(0, 5))).to.deep.equal(['4', '3', '2', '1', '0']);
      for (const answer of answers) {
        expect(answer.headers.get('ratelimit-limit')).to.equal(String(LIMIT));
        expectResetHeader(answer, WINDOW_SECONDS);
      }
      expectRateLimited(answers[5], LIMIT, WINDOW_SECONDS);
    });

    it('spends one point per home timeline read, in the same budget as every other route', async () => {
      // GET /tweets spends its point in its own Redis script (ScriptBudget), cold (the first
      // read builds the timeline) or warm: the count goes on across routes, one per request.
      const answers = [
        ...(await sendTimes(2, node, '/users/me', { token: alice.accessToken })),
        ...(await sendTimes(3, node, '/tweets', { token: alice.accessToken })),
        ...(await sendTimes(1, node, '/users/me', { token: alice.accessToken })),
        ...(await sendTimes(1, node, '/tweets', { token: alice.accessToken })),
      ];

      expect(statuses(answers)).to.deep.equal([200, 200, 200, 200, 200, 429, 429]);
      expect(remaining(answers.slice(0, 5))).to.deep.equal(['4', '3', '2', '1', '0']);
      for (const answer of answers.slice(0, 5)) {
        expect(answer.headers.get('ratelimit-limit')).to.equal(String(LIMIT));
        expectResetHeader(answer, WINDOW_SECONDS);
      }
      expectRateLimited(answers[5], LIMIT, WINDOW_SECONDS);
      expectRateLimited(answers[6], LIMIT, WINDOW_SECONDS);
    });

    it("leaves another user's budget whole", async () => {
      const spent = await sendTimes(6, node, '/users/me', { token: alice.accessToken });
      expect(statuses(spent)).to.deep.equal([200, 200, 200, 200, 200, 429]);

      const other = await send(node, '/users/me', { token: bob.accessToken });
      expect(other.status).to.equal(200);
      expect(other.body).to.include({ id: bob.id });
      expect(other.headers.get('ratelimit-remaining')).to.equal('4');
    });

    it('lets the user in again once the window has passed', async () => {
      const answers = await sendTimes(6, node, '/users/me', { token: alice.accessToken });
      const refused = answers[5];
      expectRateLimited(refused, LIMIT, WINDOW_SECONDS);

      await sleep(Number(refused.headers.get('retry-after')) * 1000);
      const again = await eventually(
        () => send(node, '/users/me', { token: alice.accessToken }),
        (answer) => answer.status !== 429,
        'GET /users/me after Retry-After',
        5000,
      );
      expect(again.status).to.equal(200);
      expect(again.body).to.include({ id: alice.id });
      expect(again.headers.get('ratelimit-remaining'), 'a fresh budget').to.equal('4');
    });
  });

  describe('anonymous: per IP address', () => {
    it('spends the address budget on failed requests too, and refuses the 6th with 429', async () => {
      const answers = await sendTimes(5, node, '/auth/refresh', garbageRefresh());
      for (const answer of answers) expectProblemAnswer(answer, 401, 'unauthorized');
      expect(remaining(answers)).to.deep.equal(['4', '3', '2', '1', '0']);

      expectRateLimited(await send(node, '/auth/refresh', garbageRefresh()), LIMIT, WINDOW_SECONDS);
      // The budget is the address's, not the route's: a token-less call to another route is
      // refused as well (rather than answered 401).
      expectRateLimited(await send(node, '/users/me'), LIMIT, WINDOW_SECONDS);
    });

    it('does not count against a signed-in user calling from the same address', async () => {
      const anonymous = await sendTimes(6, node, '/auth/refresh', garbageRefresh());
      expect(statuses(anonymous)).to.deep.equal([401, 401, 401, 401, 401, 429]);

      const signedIn = await send(node, '/users/me', { token: alice.accessToken });
      expect(signedIn.status).to.equal(200);
      expect(signedIn.headers.get('ratelimit-remaining')).to.equal('4');
    });
  });

  describe('a login, which spends the general and the strict budget', () => {
    it('tells of the budget closest to refusing it: the general one here', async () => {
      const answers = await sendTimes(6, node, '/auth/login', (i) => ({
        method: 'POST',
        body: { username: `nobody_${i}`, password: 'whatever it is' },
      }));

      for (const answer of answers.slice(0, 5)) {
        expectProblemAnswer(answer, 401, 'invalid_credentials');
        expect(answer.headers.get('ratelimit-limit')).to.equal(String(LIMIT));
      }
      expect(remaining(answers.slice(0, 5))).to.deep.equal(['4', '3', '2', '1', '0']);
      expectRateLimited(answers[5], LIMIT, WINDOW_SECONDS);
    });
  });

  describe('GET /healthz, /readyz and /metrics', () => {
    it('are never refused and carry no RateLimit headers, even once the budget is spent', async () => {
      const spent = await sendTimes(6, node, '/auth/refresh', garbageRefresh());
      expect(statuses(spent)).to.deep.equal([401, 401, 401, 401, 401, 429]);

      for (const path of ['/healthz', '/readyz', '/metrics']) {
        const call = path === '/metrics' ? { headers: metricsAuth() } : {};
        const answers = await sendTimes(20, node, path, call);
        expect(statuses(answers), path).to.deep.equal(Array(20).fill(200));
        for (const answer of answers) {
          const headers = [...answer.headers.keys()].filter((name) => /^ratelimit-/.test(name));
          expect(headers, path).to.deep.equal([]);
          expect(answer.headers.has('retry-after'), path).to.equal(false);
        }
      }
    });
  });
});
