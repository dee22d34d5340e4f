import { config } from '../../config';
import type { MailMessage } from './mailer';

/** The password-reset message: one link, valid for an hour, single use. */
export function passwordResetMessage(
  to: { email: string; displayName: string },
  token: string,
): MailMessage {
  const link = `${config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
  return {
    to: to.email,
    subject: 'Reset your Chirp password',
    text:
      `Hi ${to.displayName},\n\n` +
      `Someone (hopefully you) asked to reset the password of your Chirp account.\n` +
      `Open this link within one hour to choose a new one:\n\n${link}\n\n` +
      `The link works once. If you did not ask for it, ignore this message: your password stays as it is.\n`,
  };
}
