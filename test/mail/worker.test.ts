import { expect } from 'chai';
import { hashToken } from '../../app/auth/tokens';
import { PasswordReset, User } from '../../models';
import { login } from '../helpers/authRequests';
import { api, registerUser } from '../helpers/http';
import {
  PUBLIC_URL,
  startMailWorker,
  stopMailWorker,
  waitForMailQueueIdle,
  type MailWorker,
} from '../helpers/mailWorker';
import { startProcess, type RunningProcess } from '../helpers/processes';
import { resetTokenFrom } from '../helpers/smtp';

describe('mail worker', function () {
  this.timeout(30_000);

  describe('with SMTP_URL set', () => {
    let mail: MailWorker | undefined;
    before(async () => {
      mail = await startMailWorker();
    });
    after(async () => {
      await stopMailWorker(mail);
    });

    it('retries a send the SMTP server refused for now, and delivers the mail once', async () => {
      const user = await registerUser();
      mail!.catcher.failNext = 1;
      await api().post('/auth/forgot-password').send({ email: user.email }).expect(202);

      const message = await mail!.catcher.waitFor(user.email);
      await waitForMailQueueIdle();
      expect(mail!.catcher.failNext, 'the first send was refused').to.equal(0);
      expect(mail!.catcher.messages.filter((m) => m.to.includes(user.email))).to.have.length(1);

      // The link that arrived (minted by the retry) is the one that works.
      const token = resetTokenFrom(message, PUBLIC_URL);
      await api()
        .post('/auth/reset-password')
        .send({ token, password: 'a brand new passphrase' })
        .expect(204);
      await login({ username: user.username, password: 'a brand new passphrase' }).expect(200);
    });
  });

  describe('without SMTP_URL', () => {
    let worker: RunningProcess | undefined;
    before(async () => {
      worker = await startProcess('workers/index.ts', { SMTP_URL: undefined, LOG_LEVEL: 'info' });
    });
    after(async () => {
      try {
        await waitForMailQueueIdle();
      } finally {
        await worker?.stop();
      }
    });

    /** Waits for the worker's log line saying it logged a mail to `to`. */
    async function loggedMailTo(to: string, timeoutMs = 15_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = worker!
          .output()
          .split('\n')
          .find((l) => l.includes('mail logged') && l.includes(to));
        if (line) return line;
        if (Date.now() > deadline) {
          throw new Error(`no logged mail to ${to} within ${timeoutMs} ms:\n${worker!.output()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    it('logs the mail instead of sending it, without the reset token', async () => {
      const user = await registerUser();
      await api().post('/auth/forgot-password').send({ email: user.email }).expect(202);

      const line = await loggedMailTo(user.email);
      const entry = JSON.parse(line) as { to: string; subject: string; text: string };
      expect(entry).to.include({ to: user.email, subject: 'Reset your Chirp password' });
      expect(entry.text).to.contain(`${PUBLIC_URL}/reset-password?token=[Redacted]`);

      // A token was minted (its hash is stored), and nothing in the line is that token.
      const row = await User.findOne({ where: { emailKey: user.email.toLowerCase() } });
      const reset = await PasswordReset.findOne({ where: { userId: row!.id } });
      expect(reset!.tokenHash).to.match(/^[0-9a-f]{64}$/);
      const candidates = line.match(/[A-Za-z0-9_-]{20,}/g) ?? [];
      for (const candidate of candidates)
        expect(hashToken(candidate)).not.to.equal(reset!.tokenHash);
      expect(line).not.to.match(/token=(?!\[Redacted\])/);
    });
  });
});
