import type { Job } from 'bull';
import { hashToken, newOpaqueToken } from '../app/auth/tokens';
import { logger } from '../app/infra/logger';
import { sendMail } from '../app/mail/mailer';
import { passwordResetMessage } from '../app/mail/messages';
import type { JobPayloads } from '../app/queue/jobs';
import { findPasswordReset, setPasswordResetToken } from '../app/records/passwordResets';
import { findMailRecipient } from '../app/records/users';

const RESET_TTL_MS = 60 * 60 * 1000;

/**
 * Mints the reset token and mails it. Each attempt mints a fresh token (only its hash is
 * kept), so a retry after a failed send mails a link that works, and the secret never
 * travels through Redis.
 */
async function sendPasswordReset(resetId: string): Promise<void> {
  const reset = await findPasswordReset(resetId);
  if (!reset || reset.usedAt) {
    logger.info({ resetId }, 'password reset no longer pending; nothing to send');
    return;
  }
  const user = await findMailRecipient(reset.userId);
  if (!user) return;
  const token = newOpaqueToken();
  const expiresAt = new Date(Date.now() + RESET_TTL_MS);
  if (!(await setPasswordResetToken(reset.id, hashToken(token), expiresAt))) return;
  await sendMail(passwordResetMessage(user, token));
}

/** The `mail` queue's processor. */
export async function processMailJob(job: Job<JobPayloads['mail']>): Promise<void> {
  switch (job.data.kind) {
    case 'passwordReset':
      await sendPasswordReset(job.data.resetId);
      return;
  }
}
