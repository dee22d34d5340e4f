import { expect } from 'chai';
import { api, registerUser, uniqueHandle } from '../helpers/http';

describe('POST /auth/register', () => {
  it('creates the account and answers a session with string ids', async () => {
    const handle = uniqueHandle('reg');
    const response = await api()
      .post('/auth/register')
      .send({ ...handle, password: 'correct horse battery', displayName: 'Ada' })
      .expect(201);
    expect(response.body.user).to.include({
      username: handle.username,
      displayName: 'Ada',
      bio: '',
    });
    expect(response.body.user.id)
      .to.be.a('string')
      .and.match(/^[1-9]\d*$/);
    expect(response.body.user).to.include({ followersCount: 0, followingCount: 0, tweetsCount: 0 });
    expect(new Date(response.body.user.createdAt).toISOString()).to.equal(
      response.body.user.createdAt,
    );
    expect(response.body.accessToken).to.be.a('string');
    expect(response.body.refreshToken).to.be.a('string');
    expect(response.body.user).not.to.have.property('email');
    expect(response.body.user).not.to.have.property('passwordHash');
  });

  it('refuses a username that differs only in case with 409 username_taken', async () => {
    const first = await registerUser();
    const response = await api()
      .post('/auth/register')
      .send({
        username: first.username.toUpperCase(),
        email: uniqueHandle().email,
        password: 'correct horse battery',
      })
      .expect(409);
    expect(response.type).to.equal('application/problem+json');
    expect(response.body.code).to.equal('username_taken');
  });

  it('refuses an email that differs only in case with 409 email_taken', async () => {
    const first = await registerUser();
    const response = await api()
      .post('/auth/register')
      .send({
        username: uniqueHandle().username,
        email: first.email.toUpperCase(),
        password: 'correct horse battery',
      })
      .expect(409);
    expect(response.body.code).to.equal('email_taken');
  });

  it('lists every bad field in one 400 validation_failed', async () => {
    const response = await api()
      .post('/auth/register')
      .send({ username: 'no spaces!', email: 'not-an-email', password: 'short' })
      .expect(400);
    expect(response.body.code).to.equal('validation_failed');
    const fields = (response.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).to.include.members(['body.username', 'body.email', 'body.password']);
  });

  it('refuses usernames outside 3-15 of [A-Za-z0-9_]', async () => {
    for (const username of ['ab', 'a'.repeat(16), 'ada-lovelace', 'adà']) {
      const response = await api()
        .post('/auth/register')
        .send({ username, email: uniqueHandle().email, password: 'correct horse battery' });
      expect(response.status, username).to.equal(400);
    }
  });

  it('refuses a password over 72 bytes, counting bytes not characters', async () => {
    // 24 three-byte characters: 24 characters but 72 bytes, the most bcrypt reads.
    const ok = await api()
      .post('/auth/register')
      .send({ ...uniqueHandle(), password: '€'.repeat(24) });
    expect(ok.status).to.equal(201);
    const tooLong = await api()
      .post('/auth/register')
      .send({ ...uniqueHandle(), password: '€'.repeat(24) + 'x' });
    expect(tooLong.status).to.equal(400);
    expect(tooLong.body.errors[0].field).to.equal('body.password');
  });

  it('stores the password only as a bcrypt hash', async () => {
    const user = await registerUser({ password: 'a very particular pw' });
    const { User } = await import('../../models');
    const row = await User.findByPk(user.id);
    expect(row!.passwordHash).to.match(/^\$2[aby]\$\d{2}\$/);
    expect(row!.passwordHash).not.to.contain('a very particular pw');
  });
});
