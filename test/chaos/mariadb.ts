import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from '../helpers/processes';
import { sleep } from './load';

/** A server not answering within this long after its start failed to start. */
const START_DEADLINE_MS = 60_000;

/**
 * A MariaDB server of the scenario's own (never the machine's on 3306): a fresh datadir in a
 * temp directory, its own port and socket, root without a password. It may be stopped and
 * started again on the same datadir and port, as a restarted database server would be.
 */
export class OwnMariadb {
  private child: ChildProcess | undefined;
  private log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<OwnMariadb> {
    const server = new OwnMariadb(
      mkdtempSync(path.join(os.tmpdir(), 'chirp-chaos-mariadb-')),
      await freePort(),
    );
    const install = spawnSync(
      'mariadb-install-db',
      [
        '--no-defaults',
        `--datadir=${server.dir}/data`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        // mariadbd refuses to run as root unless told to; the harness may run as root.
        ...(process.getuid?.() === 0 ? ['--user=root'] : []),
      ],
      { encoding: 'utf8' },
    );
    if (install.status !== 0) {
      rmSync(server.dir, { recursive: true, force: true });
      throw new Error(`mariadb-install-db failed:\n${install.stdout}${install.stderr}`);
    }
    return server;
  }

  /** The server URL (no database) the scenario's processes use. */
  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}`;
  }

  running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts mariadbd on the datadir and port and waits until it answers a query. */
  async start(): Promise<void> {
    this.child = spawn(
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${this.dir}/data`,
        `--port=${this.port}`,
        `--socket=${this.dir}/sock`,
        `--pid-file=${this.dir}/pid`,
        '--bind-address=127.0.0.1',
        // As the machine's server: the charset Chirp's tables use, a small buffer pool.
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_general_ci',
        '--innodb-buffer-pool-size=64M',
        ...(process.getuid?.() === 0 ? ['--user=root'] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    const deadline = Date.now() + START_DEADLINE_MS;
    for (;;) {
      if (!this.running()) throw new Error(`mariadbd exited:\n${this.log}`);
      try {
        const probe = await mysql.createConnection({ uri: this.url, connectTimeout: 1000 });
        await probe.query('SELECT 1');
        await probe.end();
        return;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`mariadbd not answering in ${START_DEADLINE_MS} ms:\n${this.log}`);
        await sleep(200);
      }
    }
  }

  /** Stops the server as an operator would (SIGTERM) and waits for it to exit; `SIGKILL` to end it. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running()) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  /** Ends the server (SIGKILL) and removes its datadir. */
  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
