import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Pm2Home } from '../helpers/pm2';
import { sleep } from './load';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'node_modules/.bin');

/**
 * Chirp as `npm start` runs it: pm2-runtime with ecosystem.config.js (the build in dist/: run
 * `npm run build` first),
 * `api` in cluster mode on one port and the worker, under a PM2_HOME of its own (never
 * ~/.pm2). The harness drives it with the pm2 CLI against that PM2_HOME.
 */
export class Pm2Cluster extends Pm2Home {
  private log = '';
  private child: ChildProcess | undefined;

  constructor(env: Record<string, string>) {
    super(env, 'chirp-chaos-pm2-');
  }

  start(): void {
    this.child = spawn(path.join(BIN, 'pm2-runtime'), ['start', 'ecosystem.config.js'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, PM2_HOME: this.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
  }

  output(): string {
    return this.log;
  }

  running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until PM2 reports `apis` api processes and one worker online. */
  async waitOnline(apis: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running()) throw new Error(`pm2-runtime exited:\n${this.log}`);
      // Until pm2-runtime's daemon listens, a CLI call would start a second daemon of its own.
      if (!existsSync(path.join(this.home, 'rpc.sock'))) {
        if (Date.now() > deadline) throw new Error(`PM2 daemon not up in ${timeoutMs} ms`);
        await sleep(300);
        continue;
      }
      const [api, worker] = await Promise.all([
        this.onlinePids('api').catch(() => []),
        this.onlinePids('worker').catch(() => []),
      ]);
      if (api.length === apis && worker.length === 1) return;
      if (Date.now() > deadline)
        throw new Error(`PM2 apps not online in ${timeoutMs} ms:\n${this.log}`);
      await sleep(300);
    }
  }

  /** Kills pm2-runtime and whatever of ours outlived it (by PM2_HOME), then its home. */
  async stop(): Promise<void> {
    this.killAll();
    await sleep(200);
  }
}
