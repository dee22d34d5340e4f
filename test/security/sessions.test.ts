import { expect } from 'chai';
import { config } from '../../config';
import { hashToken } from '../../app/auth/tokens';
import { sequelize } from '../../app/infra/db';
import { getMe, refresh, rotate } from '../helpers/authRequests';
import { registerUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';

const DAY_SECONDS = 86400;

/** Moves the start of the session a refresh token belongs to back by `seconds`. */
async function ageSession(refreshToken: string, seconds: number): Promise<void> {
  await sequelize.query(
    `UPDATE refresh_tokens SET session_started_at = session_started_at - INTERVAL ? SECOND
     WHERE family_id = (SELECT family_id FROM (SELECT family_id FROM refresh_tokens
       WHERE token_hash = ?) AS presented)`,
    { replacements: [seconds, hashToken(refreshToken)] },
  );
}

async function expiryOf(refreshToken: string): Promise<Date> {
  const [rows] = await sequelize.query(
    'SELECT expires_at AS expiresAt FROM refresh_tokens WHERE token_hash = ?',
    { replacements: [hashToken(refreshToken)] },
  );
  return new Date((rows as { expiresAt: Date }[])[0].expiresAt);
}

describe('Security: absolute session lifetime (SESSION_MAX_AGE)', () => {
  const maxAge = config.jwt.sessionMaxAgeSeconds;

  it('refuses a refresh once the session began longer ago than SESSION_MAX_AGE', async () => {
    const user = await registerUser();
    const next = await rotate(user.refreshToken); // a rotated session is still the same session
    await ageSession(next.refreshToken, maxAge + 60);

    const answer = await refresh(next.refreshToken);
    expectProblem(answer, 401, 'unauthorized');
    expect(answer.body.detail).to.match(/sign in again/);
  });

  it("ends a refreshed session's last token with the session, not a full REFRESH_TTL later", async () => {
    expect(maxAge).to.be.greaterThan(DAY_SECONDS);
    const user = await registerUser();
    await ageSession(user.refreshToken, maxAge - DAY_SECONDS); // one day left

    const next = await rotate(user.refreshToken);
    const expires = await expiryOf(next.refreshToken);
    const dayFromNow = Date.now() + DAY_SECONDS * 1000;
    expect(Math.abs(expires.getTime() - dayFromNow)).to.be.below(60_000);
  });
});

describe('Security: a refresh submitted twice', () => {
  it('answers two concurrent refreshes of one token with the same new pair, which works', async () => {
    const user = await registerUser();
    const answers = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    const [first, second] = answers.map((answer) => answer.body as Record<string, string>);
    expect(second.refreshToken).to.equal(first.refreshToken);
    expect(second.accessToken).to.equal(first.accessToken);

    await getMe(first.accessToken).expect(200);
    const after = await rotate(first.refreshToken);
    await getMe(after.accessToken).expect(200);
  });

  it('answers a repeat a moment later with the same pair while its successor is unused', async () => {
    const user = await registerUser();
    const first = await rotate(user.refreshToken);
    const again = await rotate(user.refreshToken);
    expect(again).to.deep.equal(first);
  });

  it('still revokes the session when a token is presented after its successor was used', async () => {
    const user = await registerUser();
    const next = await rotate(user.refreshToken);
    const newest = await rotate(next.refreshToken);

    expectProblem(await refresh(user.refreshToken), 401, 'unauthorized');
    expectProblem(await refresh(newest.refreshToken), 401, 'unauthorized');
    expectProblem(await getMe(newest.accessToken), 401, 'unauthorized');
  });

  it('revokes the session when a token is presented again after the grace of 10 s', async () => {
    const user = await registerUser();
    const next = await rotate(user.refreshToken);
    await sequelize.query(
      'UPDATE refresh_tokens SET rotated_at = rotated_at - INTERVAL 11 SECOND WHERE token_hash = ?',
      { replacements: [hashToken(user.refreshToken)] },
    );

    expectProblem(await refresh(user.refreshToken), 401, 'unauthorized');
    expectProblem(await refresh(next.refreshToken), 401, 'unauthorized');
  });
});
