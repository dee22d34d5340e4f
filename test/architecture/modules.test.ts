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

/**
 * The data modules: one per table, all its SQL. `app/records/<table>.ts`, and the queue's own
 * two tables beside the queue (`app/queue/outboxRecords.ts`, `deadLetterRecords.ts`), which
 * sits below the resources' data.
 */
const DATA_MODULE = /^app\/(records\/\w+|queue\/\w+Records)\.ts$/;
const isDataModule = (file: string) => DATA_MODULE.test(file);

/** A statement sent to MySQL: raw SQL, or a call on a Sequelize model. */
const RUNS_SQL =
  /\b(?:sequelize\.query|execute)\(|\b(?:User|Tweet|Like|RefreshToken|PasswordReset)\.(?:find\w*|create|bulkCreate|update|destroy|count|upsert|increment|decrement)\(/;

/** Files outside the data modules that may talk to MySQL, each with why. */
const SQL_ELSEWHERE: Record<string, string> = {
  'app/infra/db.ts': 'the connection itself: session settings, the primary/replica routing',
  'app/ops/readiness.ts': '`SELECT 1`: whether MySQL answers, no table',
  'seeders/sql.ts': "`@@auto_increment_increment`: a server setting the bulk seeder's ids need",
};

describe('Modules (imports between files)', () => {
  it('read a sensible graph: app/ files and their imports are found', () => {
    expect(graph.get('app/tweets/routes.ts')).to.include('app/tweets/service.ts');
    expect(graph.get('app/cache/store.ts')).to.include('app/cache/scripts.ts');
  });

  it('find the data modules', () => {
    expect([...graph.keys()].filter(isDataModule)).to.include.members([
      'app/records/tweets.ts',
      'app/queue/outboxRecords.ts',
    ]);
  });

  it('keep data modules to SQL: they use only infra, models and other data modules', () => {
    // A notification is written with its push job's outbox row (app/queue/queues.ts).
    expect(
      violations(
        DATA_MODULE,
        (t) =>
          /^(app\/infra|models|config)\//.test(t) || isDataModule(t) || t === 'app/queue/queues.ts',
      ),
    ).to.deep.equal([]);
  });

  it('keep SQL in the data modules: nothing else queries MySQL', () => {
    const elsewhere = [...graph.keys()].filter(
      (file) =>
        !isDataModule(file) &&
        !(file in SQL_ELSEWHERE) &&
        RUNS_SQL.test(readFileSync(path.join(ROOT, file), 'utf8')),
    );
    expect(elsewhere).to.deep.equal([]);
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
