import { SMTPServer } from 'smtp-server';
import { freePort } from './processes';

export interface CapturedMail {
  to: string[];
  raw: string;
}

/**
 * A real SMTP server inside the test that keeps every message it accepts. `failNext` makes
 * it refuse the next N messages with a temporary error (to show retries).
 */
export class MailCatcher {
  readonly messages: CapturedMail[] = [];
  failNext = 0;
  private waiters: Array<() => void> = [];
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<MailCatcher> {
    const port = await freePort();
    let catcher: MailCatcher | undefined = undefined;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        stream.on('end', () => {
          if (catcher!.failNext > 0) {
            catcher!.failNext -= 1;
            const error = new Error('try again later') as Error & { responseCode: number };
            error.responseCode = 451;
            return callback(error);
          }
          catcher!.messages.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          for (const wake of catcher!.waiters.splice(0)) wake();
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    catcher = new MailCatcher(server, port);
    return catcher;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves with the first message to `address`, waiting for it up to `timeoutMs`. */
  async waitFor(address: string, timeoutMs = 15_000): Promise<CapturedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m) => m.to.includes(address));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no mail to ${address} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The reset link's token, from a captured message (quoted-printable soft breaks undone). */
export function resetTokenFrom(mail: CapturedMail, publicUrl: string): string {
  const text = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const match = new RegExp(
    `${publicUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/reset-password\\?token=([A-Za-z0-9_%-]+)`,
  ).exec(text);
  if (!match) throw new Error(`no reset link in:\n${text}`);
  return decodeURIComponent(match[1]);
}
