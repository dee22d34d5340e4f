import { expect } from 'chai';
import { getMe, login } from '../helpers/authRequests';
import { registerUser, uniqueHandle } from '../helpers/http';
import { expectProblem } from '../helpers/problems';

describe('POST /auth/login', () => {
  it('signs in by username whatever its case, as the account was registered', async () => {
    const user = await registerUser(uniqueHandle('Lg'));
    for (const username of [user.username.toUpperCase(), user.username.toLowerCase()]) {
      const response = await login({ username, password: user.password });
      expect(response.status, username).to.equal(200);
      expect(response.body.user).to.include({ id: user.id, username: user.username });
      expect(response.body.accessToken).to.be.a('string');
      expect(response.body.refreshToken).to.be.a('string');
      expect((await getMe(response.body.accessToken)).body.id).to.equal(user.id);
    }
  });

  it('signs in by email whatever its case', async () => {
    const user = await registerUser(uniqueHandle('Lg'));
    for (const email of [user.email.toUpperCase(), user.email.toLowerCase()]) {
      const response = await login({ email, password: user.password });
      expect(response.status, email).to.equal(200);
      expect(response.body.user.id).to.equal(user.id);
      expect((await getMe(response.body.accessToken)).body.id).to.equal(user.id);
    }
  });

  it('answers a wrong password and an unknown user with the same 401 invalid_credentials', async () => {
    const user = await registerUser();
    const stranger = uniqueHandle();
    const answers = [
      await login({ username: user.username, password: 'not the password' }),
      await login({ email: user.email, password: 'not the password' }),
      await login({ username: stranger.username, password: user.password }),
      await login({ email: stranger.email, password: user.password }),
    ];
    for (const response of answers) expectProblem(response, 401, 'invalid_credentials');
    for (const response of answers.slice(1)) expect(response.body).to.deep.equal(answers[0].body);
    expect(answers[0].body).not.to.have.property('accessToken');
  });

  it('refuses both username and email, or neither, with 400 validation_failed', async () => {
    const user = await registerUser();
    const both = await login({
      username: user.username,
      email: user.email,
      password: user.password,
    });
    const neither = await login({ password: user.password });
    for (const response of [both, neither]) {
      expectProblem(response, 400, 'validation_failed');
      expect(response.body.errors).to.be.an('array').that.is.not.empty;
      expect(response.body).not.to.have.property('accessToken');
    }
  });
});

describe('GET /users/me', () => {
  it('answers the signed-in user with string ids and no email or password hash', async () => {
    const user = await registerUser({ ...uniqueHandle('me'), displayName: 'Grace Hopper' });
    const session = await login({ username: user.username, password: user.password }).expect(200);
    const response = await getMe(session.body.accessToken).expect(200);
    expect(response.body).to.have.all.keys(
      'id',
      'username',
      'displayName',
      'bio',
      'createdAt',
      'followersCount',
      'followingCount',
      'tweetsCount',
    );
    expect(response.body).to.include({
      id: user.id,
      username: user.username,
      displayName: 'Grace Hopper',
      bio: '',
      followersCount: 0,
      followingCount: 0,
      tweetsCount: 0,
    });
    expect(response.body.id).to.match(/^[1-9]\d*$/);
    expect(new Date(response.body.createdAt).toISOString()).to.equal(response.body.createdAt);
    expect(JSON.stringify(response.body)).not.to.contain(user.email);
    expect(JSON.stringify(response.body)).not.to.match(/\$2[aby]\$/);
  });
});
