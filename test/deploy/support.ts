import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/processes';

const ROOT = path.resolve(__dirname, '../..');

/** The site file operators install: the tests run this very file, with their own addresses. */
export const SITE_TEMPLATE = path.join(ROOT, 'deploy/nginx/chirp.conf');

const STARTUP_DEADLINE_MS = 10_000;

/** True when an `nginx` binary is on PATH (.ci/run installs Debian's package). */
export function nginxOnPath(): boolean {
  const probe = spawnSync('nginx', ['-v'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * deploy/nginx/chirp.conf with every upstream's servers replaced by `servers` (keeping the
 * template's server parameters) and `listen 80` by `listen`. Throws when the template no
 * longer has the parts this relies on, so the test cannot silently run another layout.
 */
export function renderSite(template: string, servers: string[], listen: string): string {
  let upstreams = 0;
  const withServers = template.replace(
    /^(upstream\s+\w+\s*\{)([^}]*)(\})/gm,
    (_block, open: string, body: string, close: string) => {
      const lines = body.split('\n');
      const first = lines.findIndex((line) => /^\s*server\s/.test(line));
      if (first < 0) throw new Error(`${SITE_TEMPLATE}: an upstream without servers`);
      const [, indent, parameters] = /^(\s*)server\s+\S+?((?:\s+[^;]*)?);/.exec(lines[first])!;
      const replacement = servers.map((server) => `${indent}server ${server}${parameters};`);
      const kept = lines.filter((line, i) => i < first || !/^\s*server\s/.test(line));
      kept.splice(first, 0, ...replacement);
      upstreams += 1;
      return `${open}${kept.join('\n')}${close}`;
    },
  );
  if (upstreams === 0) throw new Error(`${SITE_TEMPLATE}: no upstream block found`);
  const listening = withServers.replace(/^(\s*)listen\s+80;/m, `$1listen ${listen};`);
  if (listening === withServers) throw new Error(`${SITE_TEMPLATE}: no "listen 80;" found`);
  return listening;
}

/**
 * An nginx of the test's own: a temporary prefix holding its configuration, logs, pid file
 * and temporary files, in the foreground (`daemon off`), so stopping the child stops it. The
 * system's nginx, /etc/nginx and /var/log/nginx are never read or written.
 */
export class Nginx {
  private log = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    readonly url: string,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts nginx in front of `servers` (host:port each) with deploy/nginx/chirp.conf. */
  static async start(servers: string[]): Promise<Nginx> {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chirp-nginx-'));
    // Worker processes drop root for `nobody`: they must reach their temporary directories.
    chmodSync(dir, 0o755);
    const site = renderSite(readFileSync(SITE_TEMPLATE, 'utf8'), servers, `127.0.0.1:${port}`);
    writeFileSync(path.join(dir, 'chirp.conf'), site);
    writeFileSync(path.join(dir, 'nginx.conf'), mainConfig(dir));
    const child = spawn(
      'nginx',
      [
        ...['-p', `${dir}/`, '-c', path.join(dir, 'nginx.conf')],
        ...['-e', path.join(dir, 'error.log')],
        ...['-g', `daemon off; pid ${path.join(dir, 'nginx.pid')};`],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const nginx = new Nginx(child, dir, `http://127.0.0.1:${port}`);
    try {
      await nginx.waitUntilServing();
    } catch (error) {
      await nginx.stop();
      throw error;
    }
    return nginx;
  }

  /** What nginx printed and wrote to its error log so far. */
  output(): string {
    const errorLog = path.join(this.dir, 'error.log');
    return this.log + (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
  }

  /** Stops nginx at once (SIGTERM: open WebSockets are cut) and removes its directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
    }
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntilServing(): Promise<void> {
    const deadline = Date.now() + STARTUP_DEADLINE_MS;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    for (;;) {
      if (exitCode !== undefined) {
        throw new Error(`nginx exited with ${exitCode}:\n${this.output()}`);
      }
      const answer = await fetch(`${this.url}/healthz`).catch(() => undefined);
      if (answer?.status === 200) return;
      if (Date.now() > deadline) {
        throw new Error(
          `nginx did not serve /healthz in ${STARTUP_DEADLINE_MS} ms:\n${this.output()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The main configuration around the site file: one worker, everything under `dir`. */
function mainConfig(dir: string): string {
  const at = (name: string) => path.join(dir, name);
  return `worker_processes 1;
events {
    worker_connections 512;
}
http {
    access_log ${at('access.log')};
    client_body_temp_path ${at('client_body')};
    proxy_temp_path ${at('proxy')};
    fastcgi_temp_path ${at('fastcgi')};
    uwsgi_temp_path ${at('uwsgi')};
    scgi_temp_path ${at('scgi')};
    include ${at('chirp.conf')};
}
`;
}
