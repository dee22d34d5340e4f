import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';

interface Claims {
  sub: string;
  ver: number;
  fam: string;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The claims of a real access token (its user, token version and family). */
function claimsOf(accessToken: string): Claims {
  const { sub, ver, fam } = jwt.decode(accessToken) as Claims;
  return { sub, ver, fam };
}

/** Signs claims as Chirp does unless told otherwise (the secret is test/setup.ts's). */
function sign(claims: object, options: jwt.SignOptions = {}, secret = process.env.JWT_SECRET!) {
  return jwt.sign(claims, secret, {
    algorithm: 'HS256',
    issuer: 'chirp',
    audience: 'chirp-api',
    ...options,
  });
}

async function expectRefused(authorization: string | undefined): Promise<void> {
  const request = api().get('/users/me');
  if (authorization !== undefined) void request.set('Authorization', authorization);
  const response = await request;
  expectProblem(response, 401, 'unauthorized');
  expect(response.body).not.to.have.property('id');
}

describe('access tokens on GET /users/me', () => {
  let user: TestUser;
  let other: TestUser;
  before(async () => {
    user = await registerUser();
    other = await registerUser();
  });

  it('accepts a token signed with the right secret, issuer and audience', async () => {
    // The control for every refusal below: hand-made tokens are otherwise good.
    const token = sign(claimsOf(user.accessToken), { expiresIn: 300 });
    const response = await api().get('/users/me').set(bearer(token)).expect(200);
    expect(response.body.id).to.equal(user.id);
  });

  it('refuses a request without an Authorization header', async () => {
    await expectRefused(undefined);
  });

  it('refuses "Bearer garbage"', async () => {
    await expectRefused('Bearer garbage');
  });

  it('refuses an unsigned token (alg "none")', async () => {
    const payload = {
      ...claimsOf(user.accessToken),
      iss: 'chirp',
      aud: 'chirp-api',
      iat: nowSeconds(),
      exp: nowSeconds() + 300,
    };
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
    await expectRefused(`Bearer ${token}`);
  });

  it("refuses a valid token whose payload was swapped for another user's id", async () => {
    const [header, payload, signature] = user.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Claims;
    const forged = `${header}.${base64url({ ...claims, sub: other.id })}.${signature}`;
    await expectRefused(`Bearer ${forged}`);
  });

  it('refuses a token signed with another secret', async () => {
    const token = sign(
      claimsOf(user.accessToken),
      { expiresIn: 300 },
      'some-other-secret-that-is-also-32-bytes-long',
    );
    await expectRefused(`Bearer ${token}`);
  });

  it('refuses an expired token', async () => {
    const token = sign({
      ...claimsOf(user.accessToken),
      iat: nowSeconds() - 600,
      exp: nowSeconds() - 60,
    });
    await expectRefused(`Bearer ${token}`);
  });

  it('refuses a token from another issuer', async () => {
    const token = sign(claimsOf(user.accessToken), { expiresIn: 300, issuer: 'not-chirp' });
    await expectRefused(`Bearer ${token}`);
  });

  it('refuses a token for another audience', async () => {
    const token = sign(claimsOf(user.accessToken), { expiresIn: 300, audience: 'other-api' });
    await expectRefused(`Bearer ${token}`);
  });
});

describe('Authorization header reading', () => {
  it('never mistakes one caller for another, whatever the case of the scheme', async () => {
    const first = await registerUser();
    const second = await registerUser();
    const asFirst = await api()
      .get('/users/me')
      .set('Authorization', `bearer ${first.accessToken}`);
    const asSecond = await api()
      .get('/users/me')
      .set('Authorization', `BEARER ${second.accessToken}`);
    expect(asFirst.status).to.equal(200);
    expect(asSecond.status).to.equal(200);
    expect(asFirst.body.id).to.equal(first.id);
    expect(asSecond.body.id).to.equal(second.id);
  });
});
