import { expect } from 'chai';
import type { Response } from 'supertest';
import { login, refresh } from '../helpers/authRequests';
import { api, registerUser, uniqueHandle } from '../helpers/http';
import { expectProblem } from '../helpers/problems';

const register = (body: Record<string, unknown>) =>
  api()
    .post('/auth/register')
    .send({ ...uniqueHandle('pw'), password: 'correct horse battery', ...body });

function expectFieldRefused(response: Response, field: string): void {
  expectProblem(response, 400, 'validation_failed');
  const fields = (response.body.errors as { field: string }[]).map((error) => error.field);
  expect(fields).to.include(field);
}

describe('Security: password rules', () => {
  it('refuses a password with a NUL or another control character at register', async () => {
    for (const password of [
      '\0'.repeat(8),
      'correct horse\0one',
      'correct\thorse',
      'pass\u0085word',
    ])
      expectFieldRefused(await register({ password }), 'body.password');
  });

  it('refuses at login a password the register rule refuses, instead of checking it', async () => {
    const user = await registerUser();
    for (const password of ['\0'.repeat(8), `${user.password}\0`, 'x'.repeat(1024), 'short'])
      expectFieldRefused(await login({ username: user.username, password }), 'body.password');
  });

  it('does not sign in with the right 72-byte password followed by more bytes', async () => {
    const password = `${'a'.repeat(60)}${'é'.repeat(6)}`; // 72 bytes
    const user = await registerUser({ password });
    await login({ username: user.username, password }).expect(200);
    const longer = await login({ username: user.username, password: `${password}!` });
    expectFieldRefused(longer, 'body.password');
    expect(longer.body).not.to.have.property('accessToken');
  });
});

describe('Security: display names', () => {
  it('refuses bidi controls, zero-width and control characters in a display name', async () => {
    const names = [
      'Ad\u202Emin', // right-to-left override
      'Ada\u2066x\u2069', // isolates
      'Ada\u200Fx',
      'Ada\u061Cx',
      'Ad\u200Ba', // zero-width space
      'Ad\u200Da',
      'Ad\u2060a',
      '\uFEFFAda',
      'Ada\u0007',
      'Ada\nLovelace',
      '\u200B',
    ];
    for (const displayName of names) {
      expectFieldRefused(await register({ displayName }), 'body.displayName');
    }
  });

  it('trims a display name and counts its length in characters, not UTF-16 units', async () => {
    const trimmed = await register({ displayName: '  Grace Hopper  ' }).expect(201);
    expect(trimmed.body.user.displayName).to.equal('Grace Hopper');
    const emoji = await register({ displayName: '🐦'.repeat(50) }).expect(201);
    expect(emoji.body.user.displayName).to.equal('🐦'.repeat(50));
    expectFieldRefused(await register({ displayName: '🐦'.repeat(51) }), 'body.displayName');
    expectFieldRefused(await register({ displayName: '   ' }), 'body.displayName');
  });
});

describe('Security: token answers are not cached', () => {
  it('answers register, login and refresh with Cache-Control: no-store', async () => {
    const handle = uniqueHandle('ns');
    const registered = await register(handle).expect(201);
    const signedIn = await login({
      username: handle.username,
      password: 'correct horse battery',
    }).expect(200);
    const refreshed = await refresh(signedIn.body.refreshToken).expect(200);
    const answers = { register: registered, login: signedIn, refresh: refreshed };
    for (const [route, response] of Object.entries(answers)) {
      expect(response.headers['cache-control'], route).to.equal('no-store');
    }
  });
});
