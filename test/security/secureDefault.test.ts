import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { DEVELOPMENT_JWT_SECRET } from '../../config/env';
import { User } from '../../models';
import { registerUser, type TestUser } from '../helpers/http';
import { runToExit } from '../helpers/processes';
import { refusal } from '../realtime/sockets';
import {
  type ApiNode,
  expectProblemAnswer,
  send,
  startSmallBudgetNode,
} from '../ratelimit/support';

/**
 * A server started as the README says: no NODE_ENV, no JWT_SECRET (config reads '' as unset).
 * Budgets stay the suite's huge ones: this file is about keys, not limits.
 */
const AS_SHIPPED = {
  NODE_ENV: '',
  JWT_SECRET: '',
  LOG_LEVEL: 'silent',
  RATE_LIMIT_POINTS: '1000000',
  AUTH_RATE_LIMIT_POINTS: '1000000',
};

/** The claims of a real token, signed again with the public development secret. */
function forgedWithDevelopmentSecret(realToken: string): string {
  const { sub, ver, fam } = jwt.decode(realToken) as { sub: string; ver: number; fam: string };
  return jwt.sign({ sub, ver, fam }, DEVELOPMENT_JWT_SECRET, {
    algorithm: 'HS256',
    expiresIn: 600,
    issuer: 'chirp',
    audience: 'chirp-api',
  });
}

async function logIn(node: ApiNode, user: TestUser) {
  const answer = await send(node, '/auth/login', {
    method: 'POST',
    body: { username: user.username, password: user.password },
  });
  expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
  return answer.body as { accessToken: string; refreshToken: string };
}

describe('the signing secret of a server started without NODE_ENV or JWT_SECRET', function () {
  this.timeout(90_000);
  let nodeA: ApiNode;
  let nodeB: ApiNode;
  let admin: TestUser;
  let forged: string;

  before(async () => {
    [nodeA, nodeB] = await Promise.all([
      startSmallBudgetNode(AS_SHIPPED),
      startSmallBudgetNode(AS_SHIPPED),
    ]);
    admin = await registerUser();
    await User.update({ role: 'admin' }, { where: { id: admin.id } });
    forged = forgedWithDevelopmentSecret(admin.accessToken);
  });

  after(async () => {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
  });

  it('refuses an admin token signed with the development secret on REST', async () => {
    expectProblemAnswer(await send(nodeA, '/users/me', { token: forged }), 401, 'unauthorized');
  });

  it('refuses it at the Socket.IO handshake', async () => {
    expect(await refusal(nodeA.url, forged)).to.equal('unauthorized');
  });

  it('refuses it at the queue board, as a cookie and at sign-in', async () => {
    const cookie = { headers: { Cookie: `chirp_admin=${forged}` } };
    expectProblemAnswer(await send(nodeA, '/admin/queues/api/queues', cookie), 401, 'unauthorized');
    const signIn = await send(nodeA, '/admin/queues', { method: 'POST', body: { token: forged } });
    expectProblemAnswer(signIn, 401, 'unauthorized');
  });

  it('accepts on one node a token that another node issued (one secret for all)', async () => {
    const { accessToken } = await logIn(nodeA, admin);
    const me = await send(nodeB, '/users/me', { token: accessToken });
    expect(me.status).to.equal(200);
    expect(me.body).to.include({ id: admin.id });
  });

  it('after secret:rotate and a restart, refuses older access tokens while refresh still works', async () => {
    const session = await logIn(nodeA, admin);
    const rotated = await runToExit('app/cli/rotateSecret.ts', AS_SHIPPED);
    expect(rotated.code, rotated.output).to.equal(0);
    expect(rotated.output).to.match(/pm2 reload api/);
    await nodeA.stop();
    nodeA = await startSmallBudgetNode(AS_SHIPPED);
    expectProblemAnswer(
      await send(nodeA, '/users/me', { token: session.accessToken }),
      401,
      'unauthorized',
    );
    const refreshed = await send(nodeA, '/auth/refresh', {
      method: 'POST',
      body: { refreshToken: session.refreshToken },
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).to.equal(200);
    const token = (refreshed.body as { accessToken: string }).accessToken;
    expect((await send(nodeA, '/users/me', { token })).status).to.equal(200);
  });
});

describe('start-up without a signing secret', function () {
  this.timeout(60_000);

  it('stops NODE_ENV=production without JWT_SECRET with a sentence naming JWT_SECRET', async () => {
    const { code, output } = await runToExit('app/index.ts', {
      NODE_ENV: 'production',
      JWT_SECRET: '',
    });
    expect(code).to.equal(78);
    expect(output).to.match(/JWT_SECRET[^\n]*required when NODE_ENV=production/);
  });

  it('refuses to rotate a secret the operator set in JWT_SECRET', async () => {
    const { code, output } = await runToExit('app/cli/rotateSecret.ts', {
      NODE_ENV: '',
      JWT_SECRET: 'an-operator-secret-of-at-least-32-bytes!!',
    });
    expect(code).to.not.equal(0);
    expect(output).to.match(/JWT_SECRET/);
  });
});
