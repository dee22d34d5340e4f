import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { GENERATE_COMMAND, GENERATED_DIR } from '../../clients/typescript/scripts/generate';

const ROOT = path.resolve(__dirname, '../..');

describe('clients/typescript/src/generated', () => {
  let fresh: string;

  before(async function () {
    this.timeout(120_000);
    fresh = await mkdtemp(path.join(tmpdir(), 'chirp-client-'));
    // The command a developer runs, into a directory of its own.
    await promisify(execFile)('npm', ['run', '--silent', 'client:generate', '--', fresh], {
      cwd: ROOT,
    });
  });

  after(async () => {
    if (fresh) await rm(fresh, { recursive: true, force: true });
  });

  it(`is what \`${GENERATE_COMMAND}\` writes from the OpenAPI document and the event map`, async () => {
    const written = (await readdir(fresh)).sort();
    expect(written, 'the generator wrote nothing').to.not.be.empty;
    expect((await readdir(GENERATED_DIR)).sort(), `run \`${GENERATE_COMMAND}\``).to.deep.equal(
      written,
    );
    const stale: string[] = [];
    for (const name of written) {
      const [expected, checkedIn] = await Promise.all([
        readFile(path.join(fresh, name), 'utf8'),
        readFile(path.join(GENERATED_DIR, name), 'utf8'),
      ]);
      if (expected !== checkedIn) stale.push(path.relative(ROOT, path.join(GENERATED_DIR, name)));
    }
    expect(
      stale,
      `out of date with the code: run \`${GENERATE_COMMAND}\` and commit ${stale.join(', ')}`,
    ).to.deep.equal([]);
  });
});
