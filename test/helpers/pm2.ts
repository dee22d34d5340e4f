import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processesWithEnv } from './processes';

const ROOT = path.resolve(__dirname, '../..');
const PM2 = path.join(ROOT, 'node_modules/.bin/pm2');
/** A CLI call that finds no daemon may start one of its own and wait on it: never forever. */
const CLI_TIMEOUT_MS = 30_000;

interface Pm2Process {
  name: string;
  pid: number;
  pm2_env: { status: string };
}

/**
 * A PM2 of the test's own: its own PM2_HOME (never ~/.pm2), driven with the pm2 CLI, and
 * found again by that PM2_HOME to be killed whole.
 */
export class Pm2Home {
  readonly home: string;

  constructor(
    readonly env: Record<string, string>,
    prefix: string,
  ) {
    this.home = mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  /** Runs `pm2 ...args` against this PM2_HOME, without blocking the event loop (load runs). */
  run(...args: string[]): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(PM2, args, {
        cwd: ROOT,
        env: { ...process.env, ...this.env, PM2_HOME: this.home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
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

  /** Every live process carrying this PM2_HOME (the daemon and its apps), by pid. */
  processes(): number[] {
    return processesWithEnv('PM2_HOME', this.home);
  }

  /** SIGKILLs every process of this PM2_HOME, then removes it. */
  killAll(): void {
    for (const pid of this.processes()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited meanwhile.
      }
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}
