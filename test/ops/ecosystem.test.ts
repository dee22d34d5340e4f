import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { buildDist } from '../helpers/build';

const ROOT = path.resolve(__dirname, '../..');

interface PM2App {
  name: string;
  script: string;
  exec_mode: string;
  instances: number;
  kill_timeout: number;
}

/** Loads ecosystem.config.js in a fresh Node, as PM2 does, with the given variables. */
function loadEcosystem(env: Record<string, string>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['API_INSTANCES', 'WORKER_INSTANCES']) {
    if (!(name in env)) delete childEnv[name];
  }
  const result = spawnSync(
    process.execPath,
    ['-e', "console.log(JSON.stringify(require('./ecosystem.config.js')))"],
    { cwd: ROOT, env: childEnv, encoding: 'utf8', timeout: 30_000 },
  );
  const parsed =
    result.status === 0 ? (JSON.parse(result.stdout) as { apps: PM2App[] }) : undefined;
  return { status: result.status, stderr: result.stderr, apps: parsed?.apps ?? [] };
}

function app(apps: PM2App[], name: string): PM2App {
  const found = apps.find((a) => a.name === name);
  if (!found) throw new Error(`no ${name} app in ${JSON.stringify(apps)}`);
  return found;
}

describe('ecosystem.config.js (PM2)', function () {
  this.timeout(30_000);

  before(function () {
    if (existsSync(path.join(ROOT, 'dist/config/index.js'))) return;
    this.timeout(180_000);
    buildDist(170_000);
  });

  it('runs API_INSTANCES api processes in cluster mode and WORKER_INSTANCES workers in fork mode', () => {
    const { status, stderr, apps } = loadEcosystem({ API_INSTANCES: '3', WORKER_INSTANCES: '2' });
    expect(status, stderr).to.equal(0);
    expect(app(apps, 'api')).to.include({ exec_mode: 'cluster', instances: 3 });
    expect(app(apps, 'worker')).to.include({ exec_mode: 'fork', instances: 2 });
  });

  it('defaults to one api process per core and one worker', () => {
    const { status, stderr, apps } = loadEcosystem({});
    expect(status, stderr).to.equal(0);
    expect(app(apps, 'api')).to.include({
      exec_mode: 'cluster',
      instances: os.availableParallelism(),
    });
    expect(app(apps, 'worker')).to.include({ exec_mode: 'fork', instances: 1 });
  });

  it('starts the built entry points and gives them longer than their 10 s to stop', () => {
    const { apps } = loadEcosystem({});
    for (const name of ['api', 'worker']) {
      const entry = app(apps, name);
      expect(existsSync(path.join(ROOT, entry.script)), entry.script).to.equal(true);
      expect(entry.kill_timeout, `${name} kill_timeout`).to.be.at.least(10_000);
    }
  });

  it('refuses a bad instance count with a message naming the variable', () => {
    const { status, stderr } = loadEcosystem({ API_INSTANCES: 'lots', WORKER_INSTANCES: '0' });
    expect(status).not.to.equal(0);
    expect(stderr).to.contain('API_INSTANCES');
    expect(stderr).to.contain('WORKER_INSTANCES');
  });
});
