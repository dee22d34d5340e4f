import { expect } from 'chai';
import { redis } from '../../app/infra/redis';
import { getMe, logout, refresh, signIn } from '../helpers/authRequests';
import { api, registerUser } from '../helpers/http';
import { expectProblem } from '../helpers/problems';

describe('POST /auth/logout', () => {
  it('ends the session: its refresh and access tokens are refused afterwards', async () => {
    const user = await registerUser();
    await getMe(user.accessToken).expect(200);
    const response = await logout(user.accessToken, user.refreshToken).expect(204);
    expect(response.text).to.equal('');
    expectProblem(await refresh(user.refreshToken), 401, 'unauthorized');
    expectProblem(await getMe(user.accessToken), 401, 'unauthorized');
  });

  it('answers 204 again for a session already ended, and other sessions stay signed in', async () => {
    const user = await registerUser();
    const other = await signIn(user);
    await logout(user.accessToken, user.refreshToken).expect(204);
    await logout(other.accessToken, user.refreshToken).expect(204);
    expect((await getMe(other.accessToken).expect(200)).body.id).to.equal(user.id);
    await refresh(other.refreshToken).expect(200);
  });

  it("does not end another user's session", async () => {
    const caller = await registerUser();
    const victim = await registerUser();
    await logout(caller.accessToken, victim.refreshToken).expect(204);
    await getMe(victim.accessToken).expect(200);
    const next = await refresh(victim.refreshToken).expect(200);
    expect(next.body.user.id).to.equal(victim.id);
    await getMe(caller.accessToken).expect(200);
  });

  it('requires an access token', async () => {
    const user = await registerUser();
    const response = await api().post('/auth/logout').send({ refreshToken: user.refreshToken });
    expectProblem(response, 401, 'unauthorized');
    await refresh(user.refreshToken).expect(200);
  });

  it('keeps an ended session refused after Redis lost its revocation cache', async () => {
    const user = await registerUser();
    await logout(user.accessToken, user.refreshToken).expect(204);
    // Redis is a cache here (DESIGN: losing Redis loses no user data); this is the suite's
    // own logical database, see test/setup.ts.
    await redis.flushdb();
    expectProblem(await getMe(user.accessToken), 401, 'unauthorized');
    expectProblem(await getMe(user.accessToken), 401, 'unauthorized');
  });
});
