import { expect } from 'chai';
import { api, registerUser } from '../helpers/http';
import { runNpmScript } from '../helpers/processes';
import { STACK_LINE } from './support';

/** `npm run admin:grant -- ...args`, the command as an operator types it. */
const runCli = (...args: string[]) => runNpmScript('admin:grant', ...args);

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
