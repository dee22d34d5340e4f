import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Chirp's sources as JavaScript, transpiled once per test run, for the processes the tests
 * start. Running an entry point through tsx costs about half a second more per start (its
 * loader and esbuild load in every child) than plain `node` on JavaScript, and a suite run
 * starts dozens of processes. Transpile only (no type check: `npm run typecheck` does that),
 * into a directory of this run's own under test/.tmp, so concurrent runs of the same
 * checkout never read each other's half-written files; it is removed when the run exits.
 */

const ROOT = path.resolve(__dirname, '../..');
const TSCONFIG = path.join(ROOT, 'tsconfig.json');

let outDir: string | undefined;
let project: ts.ParsedCommandLine | undefined;

/** tsconfig.json as tsc reads it: the compiler options and every source file. */
function readProject(): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    TSCONFIG,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${TSCONFIG}`);
  return parsed;
}

/** Builds (and dist/ markers) left by runs that ended without their exit handler, by pid. */
function removeOrphanBuilds(parent: string): void {
  const entries = existsSync(parent) ? readdirSync(parent) : [];
  for (const name of entries) {
    const pid = Number(/^(?:build|dist-built)-(\d+)(?:\.lock)?$/.exec(name)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0); // alive: a concurrent run's
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') continue;
      rmSync(path.join(parent, name), { recursive: true, force: true });
    }
  }
}

function transpileAll(parsed: ts.ParsedCommandLine): string {
  // Inside the checkout, so that the built files find node_modules as the sources do.
  const parent = path.join(ROOT, 'test', '.tmp');
  const dir = path.join(parent, `build-${process.pid}`);
  removeOrphanBuilds(parent);
  rmSync(dir, { recursive: true, force: true });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const compilerOptions = { ...parsed.options, sourceMap: false };
  // Declaration files (app/infra/sequelizeInternals.d.ts) hold types only: nothing to emit.
  for (const file of parsed.fileNames.filter((name) => !name.endsWith('.d.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions,
      fileName: file,
    });
    const target = path.join(dir, path.relative(ROOT, file).replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  // app/routes.ts reads the version from ../package.json, as in dist/.
  copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  return dir;
}

/**
 * The built JavaScript of a TypeScript entry point of Chirp (`app/index.ts` →
 * `test/.tmp/build-<pid>/app/index.js`), building on first use; null for any other file (a
 * test's own script), which runs through tsx.
 */
export function builtEntry(entry: string): string | null {
  project ??= readProject();
  const source = path.resolve(ROOT, entry);
  if (!project.fileNames.some((file) => path.resolve(file) === source)) return null;
  outDir ??= transpileAll(project);
  return path.join(outDir, entry.replace(/\.ts$/, '.js'));
}

/**
 * The test run a process belongs to: mocha's own pid, also in its parallel workers (whose
 * parent it is), so that they share what is built once per run.
 */
const RUN_ID = process.env.MOCHA_WORKER_ID === undefined ? process.pid : process.ppid;

/** Blocks the thread for `ms` (a build is waited for synchronously, as it is made). */
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * `tsc -p tsconfig.json` into dist/, the build `npm start` runs before PM2 starts the compiled
 * entry points: once per test run, shared by the tests that run Chirp under PM2 (a full
 * type-checked build takes several seconds). Of parallel workers, one builds while the others
 * wait for it: a second build would rewrite files a PM2 test is running.
 */
export function buildDist(timeoutMs = 170_000): void {
  const parent = path.join(ROOT, 'test', '.tmp');
  const done = path.join(parent, `dist-built-${RUN_ID}`);
  const lock = `${done}.lock`;
  mkdirSync(parent, { recursive: true });
  removeOrphanBuilds(parent);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(done)) {
    try {
      mkdirSync(lock); // atomic: this process builds
    } catch {
      if (Date.now() > deadline) throw new Error(`no build of dist/ within ${timeoutMs} ms`);
      sleepSync(200); // another worker of this run is building
      continue;
    }
    try {
      const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: timeoutMs,
      });
      if (build.status !== 0) throw new Error(`the build failed:\n${build.stdout}${build.stderr}`);
      writeFileSync(done, '');
      if (RUN_ID === process.pid) process.once('exit', () => rmSync(done, { force: true }));
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
