import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The layers of Chirp's code, checked on its imports: a route calls a service, a service
 * calls data modules (the SQL of one table each) and the cache (app/cache/: Redis keys,
 * scripts, store, upkeep), and those sit on app/infra/ (connections, logging). Workers and
 * seeders use app/; app/ never uses them. Only imports that load code at run time count
 * (`import type` is erased).
 */
const ROOT = path.resolve(__dirname, '../..');
const SOURCES = ['app', 'workers', 'seeders', 'models'];

const IMPORT =
  /(?:^|[;\n])\s*(?:import|export)\s+(type\s+)?(?:([^'";]*?)\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|js)$/.test(entry.name) ? [full] : [];
  });
}

function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null; // a package
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, `${base}.js`, base, path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Files (relative to the repository) that `file` loads at run time. */
function runtimeImports(file: string): string[] {
  const found: string[] = [];
  for (const [, typeOnly, clause, from, dynamic] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    if (typeOnly) continue;
    const names = /^\{([^}]*)\}$/.exec((clause ?? '').trim());
    if (names && names[1].split(',').every((name) => /^\s*(type\s|$)/.test(name))) continue;
    const target = resolve(file, dynamic ?? from);
    if (target) found.push(path.relative(ROOT, target));
  }
  return found;
}

const graph = new Map(
  SOURCES.flatMap((dir) => sourceFiles(path.join(ROOT, dir))).map((file) => [
    path.relative(ROOT, file),
    runtimeImports(file),
  ]),
);

/** `from → to` for every import of a file matching `from` that breaks `allowed`. */
function violations(from: RegExp, allowed: (target: string, file: string) => boolean): string[] {
  return [...graph].flatMap(([file, targets]) =>
    from.test(file)
      ? targets.filter((target) => !allowed(target, file)).map((t) => `${file} → ${t}`)
      : [],
  );
}

const isDataModule = (file: string) => /^app\/[^/]+\/(records|\w+Records)\.ts$/.test(file);

describe('Layers (imports between folders)', () => {
  it('read a sensible graph: app/ files and their imports are found', () => {
    expect(graph.get('app/tweets/routes.ts')).to.include('app/tweets/service.ts');
    expect(graph.get('app/cache/store.ts')).to.include('app/cache/scripts.ts');
  });

  it('have no import cycle between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).to.deep.equal([]);
  });

  it('keep app/infra/ below everything: it uses only itself and config/', () => {
    expect(violations(/^app\/infra\//, (t) => /^(app\/infra|config)\//.test(t))).to.deep.equal([]);
  });

  it('keep app/cache/ below the resources: it uses only infra, the outbox queue and config', () => {
    expect(
      violations(/^app\/cache\//, (t) => /^(app\/(cache|infra|queue)|config)\//.test(t)),
    ).to.deep.equal([]);
  });

  it('keep data modules to SQL: they use only infra, models and other data modules', () => {
    expect(
      violations(
        /^app\/[^/]+\/(records|\w+Records)\.ts$/,
        (t) => /^(app\/infra|models|config)\//.test(t) || isDataModule(t),
      ),
    ).to.deep.equal([]);
  });

  it("let only app/routes.ts use a resource's routes file", () => {
    expect(
      violations(/./, (t, file) => !/^app\/[^/]+\/routes\.ts$/.test(t) || file === 'app/routes.ts'),
    ).to.deep.equal([]);
  });

  it('keep app/ and models/ from using workers/, seeders/ or test/', () => {
    expect(
      violations(/^(app|models)\//, (t) => !/^(workers|seeders|test)\//.test(t)),
    ).to.deep.equal([]);
  });
});
