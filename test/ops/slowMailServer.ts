import { SMTPServer } from 'smtp-server';
import { freePort } from '../helpers/processes';

/**
 * A real SMTP server that holds its answer to messages for one recipient for `holdMs`, so a
 * test can act while a worker is in the middle of sending. Other messages are accepted at
 * once. A message counts as delivered only when the server has answered 250 for it.
 */
export class SlowMailServer {
  /** Recipients of every message answered 250, in order. */
  readonly delivered: string[][] = [];
  private receiving = new Map<string, () => void>();
  private receivingSeen = new Set<string>();

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(slowRecipient: string, holdMs: number): Promise<SlowMailServer> {
    const port = await freePort();
    let self: SlowMailServer | undefined = undefined;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const slow = to.includes(slowRecipient);
        if (slow) self!.markReceiving(slowRecipient);
        stream.resume();
        stream.on('end', () => {
          setTimeout(
            () => {
              self!.delivered.push(to);
              callback();
            },
            slow ? holdMs : 0,
          );
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    self = new SlowMailServer(server, port);
    return self;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves once a message to `address` has started arriving (it is not answered yet). */
  startedReceiving(address: string): Promise<void> {
    if (this.receivingSeen.has(address)) return Promise.resolve();
    return new Promise((resolve) => this.receiving.set(address, resolve));
  }

  wasDelivered(address: string): boolean {
    return this.delivered.some((to) => to.includes(address));
  }

  private markReceiving(address: string): void {
    this.receivingSeen.add(address);
    this.receiving.get(address)?.();
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
