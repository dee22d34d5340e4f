import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import type { Response } from 'supertest';
import { issueRefreshToken } from '../../app/auth/refreshTokens';
import { hashToken, newFamilyId, newOpaqueToken } from '../../app/auth/tokens';
import { sequelize } from '../../app/infra/db';
import { getMe, refresh, rotate, signIn } from '../helpers/authRequests';
import { createUser } from '../helpers/factories';
import { registerUser } from '../helpers/http';
import { eventually } from '../helpers/poll';
import { expectProblem } from '../helpers/problems';

/** How many transactions of this database's sessions wait for a row lock. */
async function lockWaits(): Promise<number> {
  const [row] = await sequelize.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX t
     JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
     WHERE t.trx_state = 'LOCK WAIT' AND p.DB = DATABASE()`,
    { type: QueryTypes.SELECT },
  );
  return Number(row.n);
}

describe('POST /auth/refresh', () => {
  it('answers a new pair for the same user, and the new access token works', async () => {
    const user = await registerUser();
    const response = await refresh(user.refreshToken).expect(200);
    expect(response.body.user.id).to.equal(user.id);
    expect(response.body.refreshToken).to.be.a('string').and.not.equal(user.refreshToken);
    expect(response.body.accessToken).to.be.a('string');
    expect((await getMe(response.body.accessToken).expect(200)).body.id).to.equal(user.id);
    // The new refresh token is good for one more turn.
    await refresh(response.body.refreshToken).expect(200);
  });

  it('refuses a refresh token whose successor was already used with 401 unauthorized', async () => {
    const user = await registerUser();
    await rotate((await rotate(user.refreshToken)).refreshToken);
    expectProblem(await refresh(user.refreshToken), 401, 'unauthorized');
  });

  it('refuses a refresh token nobody issued with 401 unauthorized', async () => {
    expectProblem(await refresh('never-issued-refresh-token'), 401, 'unauthorized');
  });

  it('revokes the whole session when an exchanged token is used again', async () => {
    const user = await registerUser();
    const second = await rotate(user.refreshToken);
    const newest = await rotate(second.refreshToken);
    await getMe(newest.accessToken).expect(200);

    expectProblem(await refresh(user.refreshToken), 401, 'unauthorized');

    expectProblem(await refresh(newest.refreshToken), 401, 'unauthorized');
    for (const accessToken of [user.accessToken, second.accessToken, newest.accessToken]) {
      expectProblem(await getMe(accessToken), 401, 'unauthorized');
    }
  });

  it('answers two concurrent exchanges of the same token with one and the same new pair', async () => {
    const user = await registerUser();
    const answers = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
    expect(answers.map((a) => a.status)).to.deep.equal([200, 200]);
    expect(answers[1].body.refreshToken).to.equal(answers[0].body.refreshToken);
  });

  it('answers an exchange that InnoDB chose as a deadlock victim, by running it again', async () => {
    // The interleaving two concurrent exchanges of one token can meet: one holds the spent
    // row and inserts its successor into the index gap just before that row, while the other
    // waits for the row. The test's own transaction plays the first.
    const user = await createUser();
    let token = newOpaqueToken();
    while (hashToken(token).endsWith('0')) token = newOpaqueToken();
    const own = hashToken(token);
    const justBefore = own.slice(0, -1) + (parseInt(own.slice(-1), 16) - 1).toString(16);
    const session = { userId: user.id, familyId: newFamilyId(), sessionStartedAt: new Date() };
    await issueRefreshToken(session, undefined, token);

    let exchange: Promise<Response> | undefined;
    await sequelize.transaction(async (transaction) => {
      await sequelize.query('SELECT id FROM refresh_tokens WHERE token_hash = :own FOR UPDATE', {
        replacements: { own },
        transaction,
      });
      exchange = refresh(token).then((response) => response);
      await eventually(lockWaits, (waits) => waits > 0, 'the exchange waiting for the row');
      await sequelize.query(
        `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, session_started_at, created_at)
         VALUES (:userId, :familyId, :hash, NOW() + INTERVAL 1 DAY, NOW(), NOW())`,
        { replacements: { ...session, hash: justBefore }, transaction },
      );
    });
    const answer = await exchange!;
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
  });

  it('leaves the other sessions of the user signed in when one is revoked for reuse', async () => {
    const user = await registerUser();
    const other = await signIn(user);
    await rotate((await rotate(user.refreshToken)).refreshToken);
    expectProblem(await refresh(user.refreshToken), 401, 'unauthorized');

    expect((await getMe(other.accessToken).expect(200)).body.id).to.equal(user.id);
    const next = await rotate(other.refreshToken);
    await getMe(next.accessToken).expect(200);
  });
});
