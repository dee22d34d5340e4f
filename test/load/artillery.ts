/**
 * Artillery, pinned and installed on demand into test/load/.artillery (git-ignored), never
 * a project dependency: 2.0.21 is the last release whose engines allow Node 20 (2.0.22 and
 * later need Node 22.13).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const ARTILLERY_VERSION = '2.0.21';
export const LOAD_DIR = __dirname;
export const CACHE_DIR = path.join(__dirname, '.artillery');
const BIN = path.join(CACHE_DIR, 'node_modules/artillery/bin/run');

/** Installs the pinned Artillery when missing (browser downloads skipped) and builds the processor. */
export function prepareArtillery(): void {
  const manifest = path.join(CACHE_DIR, 'node_modules/artillery/package.json');
  const installed = existsSync(manifest)
    ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
    : null;
  if (installed !== ARTILLERY_VERSION) {
    process.stdout.write(`Installing artillery@${ARTILLERY_VERSION} into ${CACHE_DIR}…\n`);
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        CACHE_DIR,
        '--no-audit',
        '--no-fund',
        '--no-save',
        `artillery@${ARTILLERY_VERSION}`,
      ],
      {
        stdio: 'inherit',
        env: {
          ...process.env,
          PUPPETEER_SKIP_DOWNLOAD: '1',
          PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
        },
      },
    );
  }
  const source = readFileSync(path.join(LOAD_DIR, 'processor.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  writeFileSync(path.join(CACHE_DIR, 'processor.js'), outputText);
}

/** Artillery's JSON report: what run.ts reads of it. */
export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
export interface Period {
  period: string | number;
  counters: Record<string, number>;
  rates: Record<string, number>;
  summaries: Record<string, Summary>;
  firstMetricAt: number;
  lastMetricAt: number;
}
export interface ArtilleryReport {
  aggregate: Period;
  intermediate: Period[];
}

/** The report once Artillery has written all of it, or null. */
function readReport(output: string): ArtilleryReport | null {
  try {
    return JSON.parse(readFileSync(output, 'utf8')) as ArtilleryReport;
  } catch {
    return null; // not there yet, or half written
  }
}

/**
 * Runs one script with `overrides` merged into its config and resolves with its report.
 * Artillery writes the report, then spends about 12 s trying to send telemetry (even with
 * ARTILLERY_DISABLE_TELEMETRY it sends an anonymous event, and this machine has no route to
 * it): once the report is complete the process is stopped rather than waited for.
 */
export async function runArtillery(
  script: string,
  overrides: Record<string, unknown>,
  output: string,
  env: Record<string, string> = {},
): Promise<ArtilleryReport> {
  rmSync(output, { force: true });
  const child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--quiet',
      '--overrides',
      JSON.stringify({ config: overrides }),
      '--output',
      output,
      path.join(LOAD_DIR, script),
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...env, ARTILLERY_DISABLE_TELEMETRY: 'true' },
    },
  );
  let exitCode: number | null | undefined;
  child.once('exit', (code) => (exitCode = code));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const report = readReport(output);
    if (report) {
      child.kill('SIGKILL');
      return report;
    }
    if (exitCode !== undefined) throw new Error(`artillery ${script} exited with ${exitCode}`);
  }
}

/** Non-2xx answers and transport errors of a period. */
export function failures(period: Period): number {
  return Object.entries(period.counters)
    .filter(
      ([name]) =>
        (name.startsWith('http.codes.') && !name.startsWith('http.codes.2')) ||
        name.startsWith('errors.'),
    )
    .reduce((sum, [, n]) => sum + n, 0);
}
