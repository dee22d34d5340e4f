import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { api, registerUser } from '../helpers/http';
import { STACK_LINE } from './support';

const ROOT = path.resolve(__dirname, '../..');

/** `npm run admin:grant -- ...args`, the command as an operator types it. */
function runCli(...args: string[]): { code: number | null; output: string } {
  const result = spawnSync('npm', ['run', '--silent', 'admin:grant', '--', ...args], {
    cwd: ROOT,
    env: process.env, // the suite's own database (test/setup.ts)
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** What signing in to the queue board answers for that token. */
async function boardAnswer(token: string): Promise<number> {
  return (await api().post('/admin/queues').send({ token })).status;
}

describe('npm run admin:grant -- <username> (app/cli/adminGrant.ts)', function () {
  this.timeout(60_000);

  it('makes the user an admin, who may then open the queue board, and says so', async () => {
    const user = await registerUser();
    expect(await boardAnswer(user.accessToken)).to.equal(403);

    const { code, output } = runCli(user.username.toUpperCase());
    expect(code, output).to.equal(0);
    expect(output).to.contain(`${user.username} is now an admin`);
    expect(await boardAnswer(user.accessToken)).to.equal(204);

    const again = runCli(user.username);
    expect(again.code, again.output).to.equal(0);
    expect(again.output).to.contain(`${user.username} is already an admin`);
  });

  it('takes the role back with --revoke, closing the board at once', async () => {
    const user = await registerUser();
    expect(runCli(user.username).code).to.equal(0);
    expect(await boardAnswer(user.accessToken)).to.equal(204);

    const { code, output } = runCli('--revoke', user.username);
    expect(code, output).to.equal(0);
    expect(output).to.contain(`${user.username} is no longer an admin`);
    expect(await boardAnswer(user.accessToken)).to.equal(403);
  });

  it('exits non-zero with a sentence for an unknown user', () => {
    const { code, output } = runCli('nobody_here_42');
    expect(code).to.be.a('number').and.not.equal(0);
    expect(output).to.contain('There is no user named "nobody_here_42"');
    expect(output).not.to.match(STACK_LINE);
  });

  it('exits non-zero with its usage when no username is given', () => {
    const { code, output } = runCli();
    expect(code).to.equal(64);
    expect(output).to.contain('Usage: npm run admin:grant -- [--revoke] <username>');
  });
});
