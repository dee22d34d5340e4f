import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { FORGOT_PASSWORD_FLOOR_MS } from '../../app/auth/service';
import { User } from '../../models';
import { login } from '../helpers/authRequests';
import { api, registerUser, type TestUser, uniqueHandle } from '../helpers/http';
import {
  type ApiNode,
  type Call,
  expectProblemAnswer,
  expectRateLimited,
  forgetSpentBudgets,
  postFrom,
  send,
  sendTimes,
  startSmallBudgetNode,
  statuses,
} from '../ratelimit/support';

const LIMIT = 3;
const WINDOW_SECONDS = 300;
/** What one account may spend across every address: ten times what one address may. */
const ACCOUNT_LIMIT = 10 * LIMIT;

/** A call from `address`, as the one trusted proxy in front of the node reports it. */
const from = (address: string, path: string, body: unknown): [string, Call] => [
  path,
  postFrom(body, `198.51.100.250, ${address}`),
];

/** CPU seconds a process has used so far (user + system), from /proc: no timing involved. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('Security: login limits that hold', function () {
  this.timeout(60_000);
  let node: ApiNode;
  let bob: TestUser;

  before(async function () {
    this.timeout(60_000);
    [node, bob] = await Promise.all([
      startSmallBudgetNode({
        RATE_LIMIT_POINTS: '1000',
        RATE_LIMIT_DURATION: '60',
        AUTH_RATE_LIMIT_POINTS: String(LIMIT),
        AUTH_RATE_LIMIT_DURATION: String(WINDOW_SECONDS),
        TRUST_PROXY: '1',
      }),
      registerUser(uniqueHandle('Bob')),
    ]);
  });
  after(async () => node?.stop());
  beforeEach(forgetSpentBudgets);

  it('counts every spelling of one account (padded, upper-case, username or email) against one budget', async () => {
    const spellings = [
      bob.username,
      `${bob.username} `,
      bob.username.toUpperCase(),
      `${bob.email}  `,
      bob.email.toUpperCase(),
    ];
    const guesses = [];
    for (let i = 0; i < ACCOUNT_LIMIT; i += 1) {
      const spelling = spellings[i % spellings.length];
      const field = spelling.includes('@') ? 'email' : 'username';
      const [path, call] = from(`192.0.2.${i + 1}`, '/auth/login', {
        [field]: spelling,
        password: `guess number ${i}`,
      });
      guesses.push(await send(node, path, call));
    }
    for (const answer of guesses) expectProblemAnswer(answer, 401, 'invalid_credentials');

    // A spelling never tried before, from an address never seen, with the right password.
    const padded = await send(
      node,
      ...from('192.0.2.200', '/auth/login', {
        username: `${bob.username.toUpperCase()}       `,
        password: bob.password,
      }),
    );
    expectRateLimited(padded, ACCOUNT_LIMIT, WINDOW_SECONDS);
  });

  it("does not let a stranger's wrong guesses lock the owner out", async () => {
    const stranger = await sendTimes(
      LIMIT + 1,
      node,
      ...from('203.0.113.66', '/auth/login', {
        username: bob.username,
        password: 'surely it is this one',
      }),
    );
    expect(statuses(stranger)).to.deep.equal([401, 401, 401, 429]);
    expectRateLimited(stranger[LIMIT], LIMIT, WINDOW_SECONDS);

    const owner = await send(
      node,
      ...from('203.0.113.7', '/auth/login', { username: bob.username, password: bob.password }),
    );
    expect(owner.status, JSON.stringify(owner.body)).to.equal(200);
  });

  it('refuses the 4th unknown reset token from one address with 429', async () => {
    const answers = await sendTimes(
      LIMIT + 1,
      node,
      ...from('203.0.113.20', '/auth/reset-password', {
        token: 'no-such-reset-token',
        password: 'a brand new passphrase',
      }),
    );
    for (const answer of answers.slice(0, LIMIT)) expectProblemAnswer(answer, 400, 'invalid_token');
    expectRateLimited(answers[LIMIT], LIMIT, WINDOW_SECONDS);
  });

  it('refuses the 4th refused refresh token from one address with 429, and still takes a good one', async () => {
    const answers = await sendTimes(
      LIMIT + 1,
      node,
      ...from('203.0.113.30', '/auth/refresh', {
        refreshToken: 'not-a-refresh-token',
      }),
    );
    for (const answer of answers.slice(0, LIMIT)) expectProblemAnswer(answer, 401, 'unauthorized');
    expectRateLimited(answers[LIMIT], LIMIT, WINDOW_SECONDS);

    const someone = await registerUser();
    const good = await send(
      node,
      ...from('203.0.113.30', '/auth/refresh', { refreshToken: someone.refreshToken }),
    );
    expect(good.status, JSON.stringify(good.body)).to.equal(200);
  });
});

describe('Security: identifiers are compared exactly', () => {
  it('signs in with an identifier typed with spaces around it', async () => {
    const user = await registerUser();
    await login({ username: `  ${user.username}   `, password: user.password }).expect(200);
    await login({ email: ` ${user.email.toUpperCase()}   `, password: user.password }).expect(200);
  });

  it('does not sign in with a name the database collation merely equates (full-width letters)', async () => {
    const user = await registerUser(uniqueHandle('wide'));
    const fullWidth = (text: string) =>
      text.replace(/[a-z]/g, (c) => String.fromCodePoint(c.codePointAt(0)! - 0x61 + 0xff41));
    const answers = [
      await login({ username: fullWidth(user.username), password: user.password }),
      await login({ email: fullWidth(user.email), password: user.password }),
    ];
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body)).to.equal(401);
      expect(answer.body.code).to.equal('invalid_credentials');
    }
  });

  it('registers a username and an email typed with spaces around them, trimmed', async () => {
    const handle = uniqueHandle('sp');
    const response = await api()
      .post('/auth/register')
      .send({
        username: ` ${handle.username}  `,
        email: `  ${handle.email} `,
        password: 'correct horse battery',
      })
      .expect(201);
    expect(response.body.user.username).to.equal(handle.username);
    await login({ email: handle.email, password: 'correct horse battery' }).expect(200);
  });
});

describe('Security: a bogus reset token costs no password hashing', function () {
  this.timeout(60_000);
  let node: ApiNode;

  before(async function () {
    this.timeout(60_000);
    // A cost high enough that one hash outweighs any amount of ordinary request handling.
    node = await startSmallBudgetNode({
      BCRYPT_ROUNDS: '13',
      RATE_LIMIT_POINTS: '1000',
      AUTH_RATE_LIMIT_POINTS: '1000',
    });
  });
  after(async () => node?.stop());

  it('answers five bogus resets with a valid password for less CPU than one password check, password untouched', async () => {
    const handle = uniqueHandle('cpu');
    const registered = await send(node, '/auth/register', {
      method: 'POST',
      body: { ...handle, password: 'correct horse battery' },
    });
    expect(registered.status).to.equal(201);
    const pid = node.process.child.pid!;
    const before = await User.findOne({ where: { usernameKey: handle.username.toLowerCase() } });

    const resetStart = cpuSecondsOf(pid);
    const resets = await sendTimes(5, node, '/auth/reset-password', {
      method: 'POST',
      body: { token: 'no-such-reset-token', password: 'x'.repeat(72) },
    });
    const resetsCpu = cpuSecondsOf(pid) - resetStart;

    const loginStart = cpuSecondsOf(pid);
    const wrong = await send(node, '/auth/login', {
      method: 'POST',
      body: { username: handle.username, password: 'not the password' },
    });
    const loginCpu = cpuSecondsOf(pid) - loginStart;

    for (const answer of resets) expectProblemAnswer(answer, 400, 'invalid_token');
    expectProblemAnswer(wrong, 401, 'invalid_credentials');
    expect(resetsCpu, `five resets ${resetsCpu} s, one login ${loginCpu} s`).to.be.below(loginCpu);
    const after = await User.findByPk(before!.id);
    expect(after!.passwordHash).to.equal(before!.passwordHash);
  });
});

describe('Security: forgot-password does not tell known addresses by its speed', () => {
  it('answers a known and an unknown address no sooner than the same floor', async () => {
    const user = await registerUser();
    for (const email of [user.email, uniqueHandle().email]) {
      const started = performance.now();
      await api().post('/auth/forgot-password').send({ email }).expect(202);
      // Less one millisecond: a timer may fire up to 1 ms early as Node rounds it.
      expect(performance.now() - started, email).to.be.at.least(FORGOT_PASSWORD_FLOOR_MS - 1);
    }
  });
});
