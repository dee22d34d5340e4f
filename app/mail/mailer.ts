import nodemailer, { type Transporter } from 'nodemailer';
import { config } from '../../config';
import { logger, redactUrl } from '../infra/logger';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

let transport: Transporter | undefined;

/**
 * Sends a message over SMTP_URL. Without SMTP_URL the message is logged instead of sent,
 * with any token in it redacted (a log is no place for a live reset link).
 */
export async function sendMail(message: MailMessage): Promise<void> {
  if (!config.mail.smtpUrl) {
    logger.info(
      { to: message.to, subject: message.subject, text: redactUrl(message.text) },
      'mail logged, not sent (SMTP_URL is not set)',
    );
    return;
  }
  transport ??= nodemailer.createTransport(config.mail.smtpUrl);
  const info = (await transport.sendMail({ from: config.mail.from, ...message })) as {
    messageId?: string;
  };
  logger.info({ to: message.to, subject: message.subject, messageId: info.messageId }, 'mail sent');
}

export function closeMailer(): void {
  transport?.close();
  transport = undefined;
}
