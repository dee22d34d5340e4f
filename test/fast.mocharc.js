/**
 * Mocha's configuration for `npm run test:fast`: the suite's own settings (.mocharc.json) over
 * the fast tier, the test files that run in-process. A test file is in the fast tier unless
 * it, or a file under test/ that it imports (directly or through other files), imports
 * `node:child_process`, which everything starting processes goes through
 * (test/helpers/processes.ts: API nodes, workers, CLIs; test/helpers/services.ts: Redis
 * servers; PM2, nginx). Type-only imports do not count. No list to keep: a new test file
 * joins the tier its imports put it in. `node test/fast.mocharc.js` prints both tiers.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const TEST = path.join(ROOT, 'test');

// Module specifiers of the imports that load code at run time.
const IMPORT =
  /(?:^|[;\n])\s*(?:import|export)\s+(type\s+)?(?:([^'";]*?)\s+from\s+)?['"]([^'"]+)['"]|(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g;

function runtimeImports(file) {
  const source = fs.readFileSync(file, 'utf8');
  const specifiers = [];
  for (const match of source.matchAll(IMPORT)) {
    const [, typeOnly, clause, fromSpecifier, dynamicSpecifier] = match;
    if (dynamicSpecifier) {
      specifiers.push(dynamicSpecifier);
      continue;
    }
    if (typeOnly) continue;
    // `import { type A, type B } from` is erased as well.
    const names = /^\{([^}]*)\}$/.exec((clause ?? '').trim());
    if (names && names[1].split(',').every((name) => /^\s*(type\s|$)/.test(name))) continue;
    specifiers.push(fromSpecifier);
  }
  return specifiers;
}

function resolveUnderTest(from, specifier) {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), specifier);
  if (!base.startsWith(TEST + path.sep)) return null; // Chirp itself never spawns processes
  for (const candidate of [base, `${base}.ts`, `${base}.js`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const spawnsMemo = new Map();
/** Whether `file` reaches node:child_process through imports under test/. */
function startsProcesses(file, visiting = new Set()) {
  if (spawnsMemo.has(file)) return spawnsMemo.get(file);
  if (visiting.has(file)) return false; // a cycle: decided where it started
  visiting.add(file);
  let spawns = false;
  for (const specifier of runtimeImports(file)) {
    if (specifier === 'node:child_process' || specifier === 'child_process') spawns = true;
    else {
      const next = resolveUnderTest(file, specifier);
      if (next && startsProcesses(next, visiting)) spawns = true;
    }
    if (spawns) break;
  }
  visiting.delete(file);
  spawnsMemo.set(file, spawns);
  return spawns;
}

function testFiles(dir = TEST) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name.startsWith('.') ? [] : testFiles(full);
      return entry.name.endsWith('.test.ts') ? [full] : [];
    });
}

const files = testFiles();
const fast = files.filter((file) => !startsProcesses(file));
const relative = (file) => path.relative(ROOT, file);

if (require.main === module) {
  const slow = files.filter((file) => startsProcesses(file));
  process.stdout.write(`fast (${fast.length}):\n  ${fast.map(relative).join('\n  ')}\n`);
  process.stdout.write(`with processes (${slow.length}):\n  ${slow.map(relative).join('\n  ')}\n`);
}

module.exports = {
  ...JSON.parse(fs.readFileSync(path.join(ROOT, '.mocharc.json'), 'utf8')),
  spec: fast.map(relative),
};
