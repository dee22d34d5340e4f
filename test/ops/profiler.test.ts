import { readFileSync, rmSync } from 'node:fs';
import { expect } from 'chai';
import { PROFILE_SIGNAL } from '../../app/ops/profileFiles';
import { eventually } from '../helpers/poll';
import { startApiNode } from '../helpers/apiNode';
import type { RunningProcess } from '../helpers/processes';

interface CpuProfile {
  nodes: { callFrame: { functionName: string; url: string } }[];
  samples: number[];
}

/** Log lines of a process with that message. */
const logged = (running: RunningProcess, msg: string) =>
  running
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; file?: string })
    .filter((line) => line.msg.startsWith(msg));

describe('CPU profile of a live process on SIGUSR2', function () {
  this.timeout(60_000);
  let running: RunningProcess;
  let base: string;
  const written: string[] = [];

  before(async () => {
    ({ process: running, url: base } = await startApiNode({ LOG_LEVEL: 'info' }));
  });

  after(async () => {
    await running?.stop('SIGKILL');
    for (const file of written) rmSync(file, { force: true });
  });

  it('starts on the first signal, writes the profile on the second, and keeps serving', async () => {
    running.child.kill(PROFILE_SIGNAL);
    await eventually(
      () => Promise.resolve(logged(running, 'cpu profile started').length),
      (n) => n === 1,
      'the "cpu profile started" log line',
    );
    for (let i = 0; i < 50; i += 1) {
      expect((await fetch(`${base}/openapi.json`)).status).to.equal(200);
    }
    running.child.kill(PROFILE_SIGNAL);
    const [line] = await eventually(
      () => Promise.resolve(logged(running, 'cpu profile written')),
      (lines) => lines.length === 1,
      'the "cpu profile written" log line',
    );
    written.push(line.file!);
    expect(line.file).to.match(/chirp-api-\d+-.*\.cpuprofile$/);
    const profile = JSON.parse(readFileSync(line.file!, 'utf8')) as CpuProfile;
    expect(profile.samples.length).to.be.greaterThan(0);
    // The requests served while it ran are in it: Chirp's own code among the frames.
    expect(profile.nodes.some((node) => /\/app\/http\//.test(node.callFrame.url))).to.equal(true);
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    expect(running.child.exitCode).to.equal(null);
  });
});
