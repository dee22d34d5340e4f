import { expect } from 'chai';
import { getMe, refresh, rotate, signIn } from '../helpers/authRequests';
import { registerUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';

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
