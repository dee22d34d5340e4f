import { expect } from 'chai';
import { registerUser, type TestUser, uniqueHandle } from '../helpers/http';
import {
  type Answer,
  type ApiNode,
  expectProblemAnswer,
  expectRateLimited,
  forgetSpentBudgets,
  postFrom,
  remaining,
  send,
  sendTimes,
  startSmallBudgetNode,
} from './support';

const AUTH_LIMIT = 10;
const AUTH_WINDOW_SECONDS = 300;
/** What one account may spend across every address. */
const ACCOUNT_LIMIT = 10 * AUTH_LIMIT;
// Every login also spends the general budget of its address; it is raised on these nodes so
// that what is measured is the strict budget of AUTH_RATE_LIMIT_POINTS alone.
const ENV = {
  RATE_LIMIT_POINTS: '1000',
  RATE_LIMIT_DURATION: '60',
  AUTH_RATE_LIMIT_POINTS: String(AUTH_LIMIT),
  AUTH_RATE_LIMIT_DURATION: String(AUTH_WINDOW_SECONDS),
};

/** The first ten answered as `expected` while the strict budget counted down; the 11th 429. */
function expectEleventhRefused(answers: Answer[], expected: number, code?: string): void {
  expect(answers).to.have.length(11);
  for (const answer of answers.slice(0, 10)) {
    if (code) expectProblemAnswer(answer, expected, code);
    else expect(answer.status, JSON.stringify(answer.body)).to.equal(expected);
    expect(answer.headers.get('ratelimit-limit')).to.equal(String(AUTH_LIMIT));
  }
  expect(remaining(answers.slice(0, 10))).to.deep.equal([
    '9',
    '8',
    '7',
    '6',
    '5',
    '4',
    '3',
    '2',
    '1',
    '0',
  ]);
  expectRateLimited(answers[10], AUTH_LIMIT, AUTH_WINDOW_SECONDS);
}

describe('Rate limits: the strict budget of login, register and forgot-password', function () {
  this.timeout(30_000);
  let direct: ApiNode;
  let behindProxy: ApiNode;
  let alice: TestUser;
  let bob: TestUser;

  before(async function () {
    this.timeout(60_000);
    [direct, behindProxy, alice, bob] = await Promise.all([
      startSmallBudgetNode(ENV),
      startSmallBudgetNode({ ...ENV, TRUST_PROXY: 'true' }),
      registerUser(),
      registerUser(),
    ]);
  });
  after(async () => Promise.all([direct?.stop(), behindProxy?.stop()]));
  beforeEach(forgetSpentBudgets);

  describe('POST /auth/login', () => {
    it('refuses the 11th wrong-password login for an account, whatever passwords were tried, and then the right one too', async () => {
      const answers = await sendTimes(11, direct, '/auth/login', (i) =>
        postFrom({ username: alice.username, password: `guess number ${i}` }),
      );
      expectEleventhRefused(answers, 401, 'invalid_credentials');

      const rightPassword = await send(
        direct,
        '/auth/login',
        postFrom({ username: alice.username, password: alice.password }),
      );
      expectRateLimited(rightPassword, AUTH_LIMIT, AUTH_WINDOW_SECONDS);
    });

    it('refuses the 11th login from one address even when each names another account', async () => {
      const answers = await sendTimes(11, direct, '/auth/login', (i) =>
        postFrom({
          username: `nobody_${i}_${process.pid}`.slice(0, 15),
          password: 'whatever it is',
        }),
      );
      expectEleventhRefused(answers, 401, 'invalid_credentials');
    });

    it('counts the attempts for one account from many addresses (TRUST_PROXY) against a budget ten times as large', async () => {
      // Each attempt from another client address: only the per-account budget can refuse.
      const answers = await sendTimes(ACCOUNT_LIMIT + 1, behindProxy, '/auth/login', (i) =>
        postFrom(
          {
            username: i % 2 ? alice.username.toUpperCase() : alice.username,
            password: `guess number ${i}`,
          },
          `192.0.2.${i + 1}`,
        ),
      );
      for (const answer of answers.slice(0, ACCOUNT_LIMIT)) {
        expectProblemAnswer(answer, 401, 'invalid_credentials');
      }
      expectRateLimited(answers[ACCOUNT_LIMIT], ACCOUNT_LIMIT, AUTH_WINDOW_SECONDS);

      const rightPassword = await send(
        behindProxy,
        '/auth/login',
        postFrom({ username: alice.username, password: alice.password }, '192.0.2.200'),
      );
      expectRateLimited(rightPassword, ACCOUNT_LIMIT, AUTH_WINDOW_SECONDS);
      // Another account is not locked out by it.
      const other = await send(
        behindProxy,
        '/auth/login',
        postFrom({ username: bob.username, password: bob.password }, '192.0.2.201'),
      );
      expect(other.status, JSON.stringify(other.body)).to.equal(200);
    });
  });

  describe('POST /auth/register', () => {
    it('refuses the 11th registration from one address, and does not create that account', async () => {
      const handles = Array.from({ length: 11 }, () => uniqueHandle('rl'));
      const answers = await sendTimes(11, direct, '/auth/register', (i) =>
        postFrom({ ...handles[i], password: 'correct horse battery' }),
      );
      expectEleventhRefused(answers, 201);

      await forgetSpentBudgets();
      const refusedOne = await send(
        direct,
        '/auth/login',
        postFrom({ username: handles[10].username, password: 'correct horse battery' }),
      );
      expectProblemAnswer(refusedOne, 401, 'invalid_credentials');
    });
  });

  describe('POST /auth/forgot-password', () => {
    it('refuses the 11th request from one address', async () => {
      const answers = await sendTimes(11, direct, '/auth/forgot-password', (i) =>
        postFrom({ email: i % 2 ? alice.email : `nobody${i}@example.test` }),
      );
      expectEleventhRefused(answers, 202);
    });
  });
});
