import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { builtEntry } from './build';

const ROOT = path.resolve(__dirname, '../..');

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningProcess {
  child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr together. */
  output(): string;
  /** Sends a signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts one of Chirp's entry points as a real child process with the test environment plus
 * `env`, and waits for it to say `ready` over IPC. A TypeScript entry of Chirp runs from the
 * run's one-time build (test/helpers/build.ts), any other TypeScript file through tsx.
 */
export async function startProcess(
  entry: string,
  env: Record<string, string | undefined> = {},
  { waitForReady = true, timeoutMs = 30_000 } = {},
): Promise<RunningProcess> {
  // Built JavaScript (dist/) runs as in production; TypeScript sources run built or through tsx.
  const built = builtEntry(entry);
  const args = built
    ? [built]
    : entry.endsWith('.js')
      ? [path.join(ROOT, entry)]
      : ['--import', 'tsx', path.join(ROOT, entry)];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const running: RunningProcess = {
    child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (waitForReady) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${entry} was not ready in ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      child.on('message', (message) => {
        if (message === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${entry} exited with ${code} before it was ready:\n${output}`));
      });
    });
  }
  return running;
}

/** Runs an entry point to completion and returns its exit code and output. */
export async function runToExit(
  entry: string,
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; output: string }> {
  const running = await startProcess(entry, env, { waitForReady: false });
  const code = await running.exited;
  return { code, output: running.output() };
}

/** `npm run <script> -- ...args`, the command as an operator types it, on the suite's database. */
export function runNpmScript(
  script: string,
  ...args: string[]
): { code: number | null; output: string } {
  const result = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: ROOT,
    env: process.env, // the suite's own database (test/setup.ts)
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Every live process whose environment sets `name` to `value` (e.g. one PM2_HOME), by pid. */
export function processesWithEnv(name: string, value: string): number[] {
  const marker = `\0${name}=${value}\0`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return `\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`.includes(marker);
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    })
    .map(Number);
}
