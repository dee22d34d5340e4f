import { expect } from 'chai';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import jwt from 'jsonwebtoken';
import { DEVELOPMENT_JWT_SECRET } from '../../config/env';
import { PasswordReset } from '../../models';
import { hashToken, newOpaqueToken } from '../../app/auth/tokens';
import { bearer, registerUser, type TestUser } from '../helpers/http';
import { closeAllSockets, connect, refusal } from '../realtime/sockets';

/**
 * The forged-token matrix: every way of making an access token that a reader of Chirp's
 * source could try, each refused by REST and by the Socket.IO handshake of a real API node.
 */

const SECRET = process.env.JWT_SECRET!;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Claims {
  sub: string;
  ver: number;
  fam: string;
}

function claimsOf(token: string): Claims {
  const { sub, ver, fam } = jwt.decode(token) as Claims;
  return { sub, ver, fam };
}

/** Signs as Chirp does unless an option says otherwise. */
function sign(payload: object, options: jwt.SignOptions = {}, key: string = SECRET): string {
  return jwt.sign(payload, key, {
    algorithm: 'HS256',
    issuer: 'chirp',
    audience: 'chirp-api',
    ...('exp' in payload ? {} : { expiresIn: 300 }),
    ...options,
  });
}

/** Signs with no expiry at all (jsonwebtoken adds none when neither is given). */
const signForever = (payload: object) =>
  jwt.sign(payload, SECRET, { algorithm: 'HS256', issuer: 'chirp', audience: 'chirp-api' });

/** A real token with its payload edited and its signature kept. */
function tampered(token: string, edit: (payload: Record<string, unknown>) => object): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  return `${header}.${b64(edit(claims))}.${signature}`;
}

function unsigned(alg: string, claims: Claims): string {
  const payload = { ...claims, iss: 'chirp', aud: 'chirp-api', exp: nowSeconds() + 300 };
  return `${b64({ alg, typ: 'JWT' })}.${b64(payload)}.`;
}

/** Each forged token, named for the trick it tries. */
function forgeries(victim: TestUser, attacker: TestUser, resetToken: string) {
  const claims = claimsOf(victim.accessToken);
  return {
    'alg "none"': unsigned('none', claims),
    'alg "None"': unsigned('None', claims),
    'alg "NONE"': unsigned('NONE', claims),
    'HS512 with the right secret': sign(claims, { algorithm: 'HS512' }),
    'HS384 with the right secret': sign(claims, { algorithm: 'HS384' }),
    'HS256 with a wrong secret': sign(claims, {}, 'x'.repeat(48)),
    'HS256 with the public development secret': sign(claims, {}, DEVELOPMENT_JWT_SECRET),
    'HS256 with an empty-looking secret': sign(claims, {}, ' '),
    "another user's id swapped into a real token": tampered(attacker.accessToken, (p) => ({
      ...p,
      sub: victim.id,
    })),
    'a real token with its expiry pushed back': tampered(victim.accessToken, (p) => ({
      ...p,
      exp: nowSeconds() + 86_400 * 365,
    })),
    'a real token with its signature removed': victim.accessToken.replace(/[^.]+$/, ''),
    'a real token with its header switched to alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${victim.accessToken.split('.')[1]}.`,
    'an expired token with the right secret': sign({ ...claims, exp: nowSeconds() - 60 }),
    'the right secret, wrong issuer': sign(claims, { issuer: 'someone-else' }),
    'the right secret, wrong audience': sign(claims, { audience: 'another-api' }),
    'the right secret, no expiry': signForever(claims),
    'the right secret, a numeric subject': sign({ ...claims, sub: Number(victim.id) }),
    'the right secret, no family': sign({ sub: claims.sub, ver: claims.ver }),
    'a refresh token used as an access token': victim.refreshToken,
    'a password-reset token used as an access token': resetToken,
    'an empty token': '',
    'a 5,000-character token': 'a'.repeat(5_000),
  };
}

describe('forged access tokens (REST and Socket.IO on a real API node)', () => {
  let node: ApiNode;
  let victim: TestUser;
  let attacker: TestUser;
  let cases: Record<string, string>;

  before(async () => {
    node = await startApiNode();
    victim = await registerUser();
    attacker = await registerUser();
    const resetToken = newOpaqueToken();
    await PasswordReset.create({
      userId: victim.id,
      tokenHash: hashToken(resetToken),
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    cases = forgeries(victim, attacker, resetToken);
  });
  after(async () => {
    closeAllSockets();
    await node?.process.stop('SIGKILL');
  });

  it("accepts the victim's real token on both (the control: the forgeries differ only in their trick)", async () => {
    const response = await node.client().get('/users/me').set(bearer(victim.accessToken));
    expect(response.status).to.equal(200);
    expect(response.body.id).to.equal(victim.id);
    const client = await connect(node.url, victim.accessToken);
    expect(client.socket.connected).to.equal(true);
    client.close();
    // A correctly signed token with the victim's claims is accepted too, so each refusal
    // below is for its trick and not for how the test signs.
    const good = await node
      .client()
      .get('/users/me')
      .set(bearer(sign(claimsOf(victim.accessToken))));
    expect(good.status).to.equal(200);
  });

  it('answers 401 unauthorized on REST to every forgery, and never shows the victim', async () => {
    const failures: string[] = [];
    for (const [name, token] of Object.entries(cases)) {
      const response = await node.client().get('/users/me').set('Authorization', `Bearer ${token}`);
      const ok =
        response.status === 401 &&
        response.type === 'application/problem+json' &&
        (response.body as { code?: string }).code === 'unauthorized' &&
        !JSON.stringify(response.body).includes(victim.username);
      if (!ok) failures.push(`${name}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    expect(failures).to.deep.equal([]);
  });

  it('refuses every forgery at the Socket.IO handshake with connect_error "unauthorized"', async () => {
    const failures: string[] = [];
    for (const [name, token] of Object.entries(cases)) {
      const message = await refusal(node.url, token).catch((error: Error) => error.message);
      if (message !== 'unauthorized') failures.push(`${name}: ${message}`);
    }
    expect(failures).to.deep.equal([]);
  });
});
