import { expect } from 'chai';
import type { Response } from 'supertest';
import { QUEUE_NAMES } from '../../app/queue/jobs';
import { getQueue } from '../../app/queue/queues';
import { User } from '../../models';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';

const BOARD = '/admin/queues';

async function makeAdmin(user: TestUser, role: 'admin' | 'user' = 'admin'): Promise<void> {
  await User.update({ role }, { where: { id: user.id } });
}

/** The board cookie a sign-in set, as `name=value`, with its attributes. */
function boardCookie(response: Response): { pair: string; attributes: string[] } {
  const header = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  const cookie = header.find((line) => line.startsWith('chirp_admin='));
  expect(cookie, `Set-Cookie: ${header.join(' | ')}`).to.be.a('string');
  const [pair, ...attributes] = cookie!.split(';').map((part) => part.trim());
  return { pair, attributes };
}

const signInRequest = (token: unknown) => api().post(BOARD).send({ token });

async function signIn(user: TestUser): Promise<string> {
  const response = await signInRequest(user.accessToken).expect(204);
  return boardCookie(response).pair;
}

describe('POST /admin/queues (signing in to the queue board)', () => {
  it('answers 400 validation_failed without a token', async () => {
    expectProblem(await api().post(BOARD).send({}), 400, 'validation_failed');
  });

  it('answers 415 to a form body, so a token never travels any other way', async () => {
    const response = await api().post(BOARD).type('form').send({ token: 'x' });
    expectProblem(response, 415, 'unsupported_media_type');
  });

  it('answers 401 unauthorized for a tampered token', async () => {
    const user = await registerUser();
    await makeAdmin(user);
    const tampered = `${user.accessToken.slice(0, -2)}xx`;
    expectProblem(await signInRequest(tampered), 401, 'unauthorized');
  });

  it('answers 403 forbidden to a signed-in user who is not an admin', async () => {
    const user = await registerUser();
    const response = await signInRequest(user.accessToken);
    expectProblem(response, 403, 'forbidden');
    expect(response.headers['set-cookie']).to.equal(undefined);
  });

  it('gives an admin an HttpOnly, SameSite=Strict cookie for /admin/queues only', async () => {
    const admin = await registerUser();
    await makeAdmin(admin);
    const response = await signInRequest(admin.accessToken).expect(204);
    const { pair, attributes } = boardCookie(response);
    expect(pair).to.equal(`chirp_admin=${admin.accessToken}`);
    expect(attributes).to.include.members(['Path=/admin/queues', 'HttpOnly', 'SameSite=Strict']);
    const maxAge = Number(attributes.find((a) => a.startsWith('Max-Age='))?.slice(8));
    // No longer than the access token lives (15 minutes by default).
    expect(maxAge).to.be.within(1, 15 * 60);
    expect(response.headers['cache-control']).to.equal('no-store');
  });
});

describe('GET /admin/queues (the sign-in page)', () => {
  it('serves the sign-in page to a browser without a cookie', async () => {
    const page = await api().get(BOARD).expect(200);
    expect(page.type).to.equal('text/html');
    expect(page.headers['cache-control']).to.equal('no-store');
  });

  it('sends a browser whose cookie proves an admin on to the board', async () => {
    const admin = await registerUser();
    await makeAdmin(admin);
    const response = await api()
      .get(BOARD)
      .set('Cookie', await signIn(admin))
      .expect(303);
    expect(response.headers.location).to.equal(`${BOARD}/`);
  });

  it("serves the sign-in page again to a cookie holding a non-admin's token", async () => {
    const user = await registerUser();
    await api().get(BOARD).set('Cookie', `chirp_admin=${user.accessToken}`).expect(200);
  });
});

describe('the queue board under /admin/queues/', () => {
  let admin: TestUser;
  let cookie: string;

  before(async () => {
    admin = await registerUser();
    await makeAdmin(admin);
    cookie = await signIn(admin);
  });

  it('serves the Bull Board page and every script it loads to an admin with the cookie', async () => {
    const page = await api().get(`${BOARD}/`).set('Cookie', cookie).expect(200);
    expect(page.type).to.equal('text/html');
    expect(page.text).to.contain(`<base href="${BOARD}/" />`);
    const scripts = [...page.text.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts, 'scripts').to.not.be.empty;
    for (const src of scripts) {
      const asset = await api().get(`${BOARD}/${src}`).set('Cookie', cookie);
      expect(asset.status, src).to.equal(200);
      // Browsers refuse a script of another type under `nosniff`.
      expect(asset.type, src).to.match(/^(text|application)\/javascript$/);
      expect(asset.text.length, src).to.be.greaterThan(0);
    }
  });

  it("lists every Chirp queue with its jobs in the board's API", async () => {
    const job = await getQueue('mail').add(
      { kind: 'passwordReset', resetId: '0' },
      { delay: 3_600_000, jobId: `board-test-${Date.now()}` },
    );
    try {
      const response = await api().get(`${BOARD}/api/queues`).set('Cookie', cookie).expect(200);
      const queues = response.body.queues as { name: string; counts: Record<string, number> }[];
      expect(queues.map((queue) => queue.name)).to.have.members(QUEUE_NAMES);
      const mail = queues.find((queue) => queue.name === 'mail')!;
      expect(mail.counts.delayed).to.be.at.least(1);
    } finally {
      await job.remove();
    }
  });

  it('lets an admin pause and resume a queue from the board', async () => {
    const queue = getQueue('timeline');
    await api().put(`${BOARD}/api/queues/timeline/pause`).set('Cookie', cookie).expect(200);
    try {
      expect(await queue.isPaused()).to.equal(true);
    } finally {
      await api().put(`${BOARD}/api/queues/timeline/resume`).set('Cookie', cookie).expect(200);
    }
    expect(await queue.isPaused()).to.equal(false);
  });

  it('answers 401 without the cookie, and never to a Bearer header alone', async () => {
    expectProblem(await api().get(`${BOARD}/api/queues`), 401, 'unauthorized');
    expectProblem(
      await api().get(`${BOARD}/api/queues`).set(bearer(admin.accessToken)),
      401,
      'unauthorized',
    );
  });

  it("answers 403 forbidden to a cookie holding a non-admin's token", async () => {
    const user = await registerUser();
    const response = await api()
      .get(`${BOARD}/api/queues`)
      .set('Cookie', `chirp_admin=${user.accessToken}`);
    expectProblem(response, 403, 'forbidden');
  });

  it('answers 403 forbidden as soon as the admin role is taken back', async () => {
    const former = await registerUser();
    await makeAdmin(former);
    const formerCookie = await signIn(former);
    await api().get(`${BOARD}/api/queues`).set('Cookie', formerCookie).expect(200);
    await makeAdmin(former, 'user');
    expectProblem(
      await api().get(`${BOARD}/api/queues`).set('Cookie', formerCookie),
      403,
      'forbidden',
    );
  });

  it('answers 401 once the session behind the cookie logged out', async () => {
    const leaving = await registerUser();
    await makeAdmin(leaving);
    const leavingCookie = await signIn(leaving);
    await api()
      .post('/auth/logout')
      .set(bearer(leaving.accessToken))
      .send({ refreshToken: leaving.refreshToken })
      .expect(204);
    expectProblem(
      await api().get(`${BOARD}/api/queues`).set('Cookie', leavingCookie),
      401,
      'unauthorized',
    );
  });

  it("answers the board's own errors in the board's JSON, never dressed as problem details", async () => {
    const response = await api()
      .put(`${BOARD}/api/queues/no-such-queue/pause`)
      .set('Cookie', cookie);
    // Bull Board's own 404 (`{"error":{"key":"ERRORS.QUEUE_NOT_FOUND"}}`), as it sends it.
    expect(response.status).to.equal(404);
    expect(response.headers['content-type']).to.match(/^application\/json/);
    expect(response.body).to.have.nested.property('error.key').that.is.a('string');
    expect(response.body).to.not.have.any.keys('type', 'title', 'code');
  });

  it('answers 404 not_found for a path the board does not serve', async () => {
    expectProblem(await api().get(`${BOARD}/no/such/page`).set('Cookie', cookie), 404, 'not_found');
  });
});

describe('the OpenAPI document and the queue board', () => {
  it('describes the sign-in routes but leaves the board (Bull Board’s own API) out', async () => {
    const { body } = await api().get('/openapi.json').expect(200);
    expect(body.paths[BOARD].get.responses).to.include.keys(['200', '303', '429', '431']);
    expect(body.paths[BOARD].post.responses).to.include.keys(['204', '400', '401', '403', '415']);
    expect(Object.keys(body.paths).filter((path) => path.startsWith(`${BOARD}/`))).to.deep.equal(
      [],
    );
    expect(body.components.securitySchemes).to.have.keys(['bearerAuth']);
  });
});
