import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Within the folders (whose order test/architecture/layers.test.ts checks): a route calls a
 * service, a service calls data modules (`records.ts`, `*Records.ts`: the SQL of one table
 * each) and the cache, and data modules call only the database. Only imports that load code
 * at run time count (`import type` is erased).
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

describe('Modules (imports between files)', () => {
  it('read a sensible graph: app/ files and their imports are found', () => {
    expect(graph.get('app/tweets/routes.ts')).to.include('app/tweets/service.ts');
    expect(graph.get('app/cache/store.ts')).to.include('app/cache/scripts.ts');
  });

  it('keep data modules to SQL: they use only infra, models and other data modules', () => {
    expect(
      violations(
        /^app\/[^/]+\/(records|\w+Records)\.ts$/,
        (t) => /^(app\/infra|models|config)\//.test(t) || isDataModule(t),
      ),
    ).to.deep.equal([]);
  });

  it('keep routes thin: a routes file reaches tables only through a service', () => {
    expect(
      violations(/^app\/[^/]+\/routes\.ts$/, (t) => !isDataModule(t) && !/^models\//.test(t)),
    ).to.deep.equal([]);
  });

  it("let only app/routes.ts use a resource's routes file", () => {
    expect(
      violations(/./, (t, file) => !/^app\/[^/]+\/routes\.ts$/.test(t) || file === 'app/routes.ts'),
    ).to.deep.equal([]);
  });
});
