import { expect } from 'chai';
import { config } from '../../config';
import { confirmationKey } from '../../app/auth/revocationEpoch';
import { createRedis, redis } from '../../app/infra/redis';
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

  it('announces the revocation first as the bare user id older versions read, then asks for confirmations', async () => {
    const user = await registerUser();
    const listener = createRedis({ name: 'test-revocations', blocking: true });
    const messages: string[] = [];
    try {
      await listener.subscribe(`${config.mainChannelPrefix}auth:revocations`);
      listener.on('message', (_channel: string, message: string) => {
        messages.push(message);
        // Confirms as a process does, so the logout need not take the epoch path.
        const [, confirmation] = message.split(' ');
        if (confirmation) void redis.incr(confirmationKey(confirmation));
      });
      await logout(user.accessToken, user.refreshToken).expect(204);
      // Pub/sub delivers in order, but after PUBLISH returns: wait for both.
      for (let waited = 0; messages.length < 2 && waited < 5000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      listener.disconnect();
    }
    expect(messages[0]).to.equal(user.id);
    expect(messages[1]).to.match(new RegExp(`^${user.id} [0-9a-f-]{36}$`));
  });
});
