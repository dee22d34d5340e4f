import { expect } from 'chai';
import { hashToken } from '../../app/auth/tokens';
import { PasswordReset } from '../../models';
import { getMe, login, refresh, rotate, signIn } from '../helpers/authRequests';
import { api, registerUser, uniqueHandle } from '../helpers/http';
import {
  PUBLIC_URL,
  requestResetToken,
  startMailWorker,
  stopMailWorker,
  waitForMailQueueIdle,
  type MailWorker,
} from '../helpers/mailWorker';
import { expectProblem } from '../helpers/problems';
import { resetTokenFrom } from '../helpers/smtp';

const NEW_PASSWORD = 'a brand new passphrase';

const resetPassword = (token: string, password = NEW_PASSWORD) =>
  api().post('/auth/reset-password').send({ token, password });

describe('password reset (real SMTP server and worker process)', function () {
  this.timeout(30_000);
  let mail: MailWorker | undefined;
  before(async () => {
    mail = await startMailWorker();
  });
  after(async () => {
    await stopMailWorker(mail);
  });

  describe('POST /auth/forgot-password', () => {
    it('answers 202 for known and unknown addresses, and mails only the known one', async () => {
      const user = await registerUser();
      const unknown = uniqueHandle().email;
      await api().post('/auth/forgot-password').send({ email: unknown }).expect(202);
      await api().post('/auth/forgot-password').send({ email: user.email }).expect(202);

      const message = await mail!.catcher.waitFor(user.email);
      expect(message.raw).to.contain('Reset your Chirp password');
      expect(resetTokenFrom(message, PUBLIC_URL)).to.match(/^[A-Za-z0-9_-]{20,}$/);
      await waitForMailQueueIdle();
      expect(mail!.catcher.messages.filter((m) => m.to.includes(unknown))).to.be.empty;
      expect(mail!.catcher.messages.filter((m) => m.to.includes(user.email))).to.have.length(1);
    });

    it('finds the account whatever the case of the address', async () => {
      const user = await registerUser();
      await api()
        .post('/auth/forgot-password')
        .send({ email: user.email.toUpperCase() })
        .expect(202);
      const message = await mail!.catcher.waitFor(user.email);
      expect(resetTokenFrom(message, PUBLIC_URL)).to.be.a('string');
    });
  });

  describe('POST /auth/reset-password', () => {
    it('sets the new password: the old one no longer signs in, the new one does', async () => {
      const user = await registerUser();
      const token = await requestResetToken(mail!.catcher, user.email);
      const response = await resetPassword(token).expect(204);
      expect(response.text).to.equal('');

      expectProblem(
        await login({ username: user.username, password: user.password }),
        401,
        'invalid_credentials',
      );
      const session = await login({ email: user.email, password: NEW_PASSWORD }).expect(200);
      await getMe(session.body.accessToken).expect(200);
    });

    it('revokes every access and refresh token issued before it', async () => {
      const user = await registerUser();
      const second = await signIn(user);
      const rotated = await rotate(second.refreshToken);
      const before = [{ accessToken: user.accessToken, refreshToken: user.refreshToken }, rotated];
      for (const session of before) await getMe(session.accessToken).expect(200);

      await resetPassword(await requestResetToken(mail!.catcher, user.email)).expect(204);

      for (const session of before) {
        expectProblem(await getMe(session.accessToken), 401, 'unauthorized');
        expectProblem(await refresh(session.refreshToken), 401, 'unauthorized');
      }
      const after = await signIn({ username: user.username, password: NEW_PASSWORD });
      await getMe(after.accessToken).expect(200);
      await refresh(after.refreshToken).expect(200);
    });

    it('refuses the same token a second time with 400 invalid_token', async () => {
      const user = await registerUser();
      const token = await requestResetToken(mail!.catcher, user.email);
      await resetPassword(token).expect(204);
      expectProblem(await resetPassword(token, 'yet another passphrase'), 400, 'invalid_token');
      expectProblem(
        await login({ username: user.username, password: 'yet another passphrase' }),
        401,
        'invalid_credentials',
      );
      await login({ username: user.username, password: NEW_PASSWORD }).expect(200);
    });

    it('refuses a token nobody was sent with 400 invalid_token', async () => {
      expectProblem(await resetPassword('no-such-reset-token-was-ever-sent'), 400, 'invalid_token');
    });

    it('refuses an expired token with 400 invalid_token and keeps the password', async () => {
      const user = await registerUser();
      const token = await requestResetToken(mail!.catcher, user.email);
      const [expired] = await PasswordReset.update(
        { expiresAt: new Date(Date.now() - 60_000) },
        { where: { tokenHash: hashToken(token) } },
      );
      expect(expired).to.equal(1);

      expectProblem(await resetPassword(token), 400, 'invalid_token');
      await login({ username: user.username, password: user.password }).expect(200);
      expectProblem(
        await login({ username: user.username, password: NEW_PASSWORD }),
        401,
        'invalid_credentials',
      );
    });

    it('refuses a new password over 72 bytes with 400 validation_failed, token unspent', async () => {
      const user = await registerUser();
      const token = await requestResetToken(mail!.catcher, user.email);
      const response = await resetPassword(token, '€'.repeat(24) + 'x');
      expectProblem(response, 400, 'validation_failed');
      const fields = (response.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields).to.include('body.password');
      await login({ username: user.username, password: user.password }).expect(200);
      await resetPassword(token).expect(204);
    });
  });
});
