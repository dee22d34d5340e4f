import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { api } from '../helpers/http';

const run = promisify(execFile);
const REDOCLY = path.join(__dirname, '../../node_modules/.bin/redocly');

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer: string }[];
}

/**
 * Lints `document` with Redocly CLI's recommended rules (the third-party linter client
 * developers run) and answers its problems. Redocly exits 1 when it finds errors: the
 * report on stdout is what counts.
 */
async function redoclyLint(document: object): Promise<LintProblem[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chirp-openapi-'));
  try {
    const file = path.join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(document));
    const args = ['lint', file, '--extends', 'recommended', '--format', 'json'];
    const env = {
      ...process.env,
      REDOCLY_TELEMETRY: 'off',
      REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
    };
    const { stdout } = await run(REDOCLY, args, { env, maxBuffer: 16 * 1024 * 1024 }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    );
    return (JSON.parse(stdout) as { problems: LintProblem[] }).problems;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const describeProblem = (problem: LintProblem) =>
  `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`;

describe('the served OpenAPI document, linted by Redocly CLI (recommended rules)', function () {
  this.timeout(60_000);
  let problems: LintProblem[];

  before(async () => {
    const { body } = await api().get('/openapi.json').expect(200);
    problems = await redoclyLint(body as object);
  });

  it('has no errors', () => {
    const errors = problems.filter((problem) => problem.severity === 'error');
    expect(errors.map(describeProblem)).to.deep.equal([]);
  });

  it('warns only of path templates that the id pattern tells apart', () => {
    // `/users/by-username/{username}` and `/users/{id}/follow` have the same shape, but {id}
    // is digits only (Id in app/http/zod.ts), so no URL matches both: the router agrees.
    const others = problems.filter(
      (problem) => problem.severity === 'warn' && problem.ruleId !== 'no-ambiguous-paths',
    );
    expect(others.map(describeProblem)).to.deep.equal([]);
  });

  it('is checked by a linter that reports a public operation without security: []', async () => {
    const { body } = await api().get('/openapi.json').expect(200);
    const document = body as { paths: Record<string, Record<string, { security?: unknown }>> };
    delete document.paths['/auth/login'].post.security;
    const found = await redoclyLint(document);
    expect(found.map((problem) => problem.ruleId)).to.include('security-defined');
  });
});
