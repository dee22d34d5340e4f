import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processesWithEnv } from '../helpers/processes';
import { sleep } from './load';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'node_modules/.bin');

interface Pm2Process {
  name: string;
  pid: number;
  pm2_env: { status: string };
}

/**
 * Chirp as `npm start` runs it: pm2-runtime with ecosystem.config.js (the build in dist/: run
 * `npm run build` first),
 * `api` in cluster mode on one port and the worker, under a PM2_HOME of its own (never
 * ~/.pm2). The harness drives it with the pm2 CLI against that PM2_HOME.
 */
const CLI_TIMEOUT_MS = 30_000;

export class Pm2Cluster {
  readonly home = mkdtempSync(path.join(os.tmpdir(), 'chirp-chaos-pm2-'));
  private log = '';
  private child: ChildProcess | undefined;

  constructor(private readonly env: Record<string, string>) {}

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

  /** `pm2 ...args` against this PM2_HOME, without blocking the event loop (the load runs). */
  run(...args: string[]): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(path.join(BIN, 'pm2'), args, {
        cwd: ROOT,
        env: { ...process.env, ...this.env, PM2_HOME: this.home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      // A CLI call that finds no daemon may start one of its own and wait on it: never forever.
      const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
  }

  /** The pids PM2 reports online for app `name`, sorted. */
  async onlinePids(name: 'api' | 'worker'): Promise<number[]> {
    const { code, output } = await this.run('jlist');
    if (code !== 0) throw new Error(`pm2 jlist failed:\n${output}`);
    const list = JSON.parse(output.slice(output.indexOf('['))) as Pm2Process[];
    return list
      .filter((proc) => proc.name === name && proc.pm2_env.status === 'online')
      .map((proc) => proc.pid)
      .sort((a, b) => a - b);
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

  /** Every live process carrying this PM2_HOME (the daemon and its apps), by pid. */
  private processes(): number[] {
    return processesWithEnv('PM2_HOME', this.home);
  }

  /** Kills pm2-runtime and whatever of ours outlived it (by PM2_HOME), then its home. */
  async stop(): Promise<void> {
    for (const pid of this.processes()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited meanwhile.
      }
    }
    await sleep(200);
    rmSync(this.home, { recursive: true, force: true });
  }
}
