import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

/**
 * Which folder ("layer") may import which: the one map of Chirp's layers, from the bottom up.
 * A layer is a folder under `app/` or a top folder (`config`, `models`, `workers` ...); the
 * files directly under `app/` (the API process: index, server, routes) are the layer `app`.
 * A file may import its own folder and the folders its folder lists here, nothing else, and
 * the map has no cycle, so every folder can be read knowing only the ones below it.
 */
const ALLOWED: Record<string, string> = {
  // The bottom: settings, then MySQL, Redis, logging and timing.
  config: '',
  'app/infra': 'config',
  // HTTP plumbing: Koa routes, zod, paging, the error vocabulary, the metrics registry.
  'app/http': 'app/infra config',
  // Sequelize table definitions, and the migrations that create the tables.
  models: 'app/infra',
  migrations: 'app/infra',
  // Jobs: the payload map, Bull queues, the outbox; then the Redis cache (keys, Lua, upkeep).
  'app/queue': 'app/http app/infra config',
  'app/cache': 'app/queue app/infra config',
  'app/mail': 'app/infra config',
  // Resources, each with its routes, services and data modules. A home timeline is a cache
  // of tweet ids that tweet and follow writes keep up; a notification shows its tweet; users
  // (and follows) act on all three; auth signs users in.
  'app/timeline': 'app/cache app/http app/infra config',
  'app/tweets': 'app/timeline app/cache app/queue app/http app/infra models config',
  'app/notifications': 'app/tweets app/queue app/http app/infra config',
  'app/users':
    'app/notifications app/tweets app/timeline app/cache app/queue app/http app/infra models config',
  'app/auth': 'app/users app/cache app/queue app/http app/infra models config',
  // Socket.IO, operations endpoints and the admin board sit beside the resources they read.
  'app/realtime': 'app/auth app/notifications app/tweets app/http app/infra config',
  'app/ops': 'app/queue app/http app/infra config',
  'app/admin': 'app/auth app/users app/queue app/http config',
  // The top, which nothing imports: the API process, CLIs, workers, seeders.
  app: 'app/admin app/auth app/notifications app/ops app/realtime app/tweets app/users app/queue app/http app/infra migrations config',
  'app/cli': 'app/auth app/users app/queue app/infra migrations models config',
  workers:
    'app/auth app/mail app/notifications app/ops app/realtime app/tweets app/timeline app/users app/cache app/queue app/http app/infra config',
  seeders:
    'app/auth app/users app/tweets app/timeline app/cache app/infra migrations models config',
};

/**
 * Folder imports that still go up the map, each with what makes it. Most reach a data module
 * kept in another resource's folder. All go once the data modules of tweets, likes, users,
 * follows and notifications share one folder below the resources (with the notification
 * types, UserFields and notifyInTransaction) and homeTimeline.ts sits beside authorTweets.ts.
 * The test fails when a new one appears and when one listed here is gone (delete its line).
 */
const KNOWN_UPWARD: Record<string, string> = {
  'app/timeline -> app/tweets':
    'homeTimeline.ts renders tweets (it belongs beside tweets/routes.ts, which serves it); build.ts and maintain.ts read the tweets table through tweets/records.ts',
  'app/timeline -> app/users': 'build.ts reads follows through users/followRecords.ts',
  'app/tweets -> app/notifications':
    'a like, retweet or reply records its notification (notifications/service.ts) and a tweet delete removes them (notifications/records.ts)',
  'app/tweets -> app/users':
    'posting, deleting and liking move the user counters through users/records.ts',
};

const ROOT = path.resolve(__dirname, '../..');
const SOURCE_FOLDERS = ['app', 'workers', 'seeders', 'models', 'migrations', 'config'];

/**
 * Relative module specifiers a file imports: `import ... from`, `export ... from`, bare
 * `import './x'` and dynamic `import('./x')`. Type-only imports count too: they are erased at
 * run time, but they still make a folder read another folder's shapes, and a type cycle
 * leaves no order of folders to learn or to build in.
 */
const IMPORT =
  /(?:^|[;\n])\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"](\.[^'"]*)['"]|\bimport\(\s*['"](\.[^'"]*)['"]\s*\)/g;

function typeScriptFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // a folder that does not exist holds no imports
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function resolve(from: string, specifier: string): string | null {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this candidate
    }
  }
  return null;
}

/** The layer of a file (relative to the root): `app/<folder>`, `app` or its top folder. */
function layerOf(file: string): string {
  const parts = file.split(path.sep);
  return parts[0] === 'app' && parts.length > 2 ? `app/${parts[1]}` : parts[0];
}

/** Every source file and the source files it imports, by path relative to the root. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = SOURCE_FOLDERS.flatMap((folder) => typeScriptFiles(path.join(ROOT, folder)));
  for (const file of files) {
    const targets = [...readFileSync(file, 'utf8').matchAll(IMPORT)]
      .map((match) => resolve(file, match[1] ?? match[2]))
      .filter((target): target is string => target !== null && target.endsWith('.ts'))
      .map((target) => path.relative(ROOT, target))
      .filter((target) => SOURCE_FOLDERS.includes(target.split(path.sep)[0]));
    graph.set(path.relative(ROOT, file), [...new Set(targets)]);
  }
  return graph;
}

/** A cycle of the graph as its nodes, first repeated at the end, or null when there is none. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (stack.includes(node)) return [...stack.slice(stack.indexOf(node)), node];
    if (done.has(node)) return null;
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    done.add(node);
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('folder layers', () => {
  const files = importGraph();
  /** Folder-to-folder edges (`from -> to`), each with the file imports that make it. */
  const edges = new Map<string, string[]>();
  for (const [file, targets] of files) {
    for (const target of targets) {
      const edge = `${layerOf(file)} -> ${layerOf(target)}`;
      if (layerOf(file) !== layerOf(target)) {
        edges.set(edge, [...(edges.get(edge) ?? []), `${file} -> ${target}`]);
      }
    }
  }
  const allowed = new Map(
    Object.entries(ALLOWED).map(([folder, below]) => [folder, below.split(' ').filter(Boolean)]),
  );
  const describeEdges = (list: string[]) =>
    list.map((edge) => `${edge} (${edges.get(edge)?.join(', ')})`).join('\n');

  it('reads the source folders', () => {
    expect(files.size).to.be.greaterThan(50);
    expect(edges.size).to.be.greaterThan(20);
  });

  it('declares an order of folders: the allowed map has no cycle', () => {
    expect(findCycle(allowed)?.join(' -> ') ?? 'none', 'a cycle in ALLOWED').to.equal('none');
  });

  it('imports across folders only as the allowed map says', () => {
    const refused = [...edges.keys()].filter((edge) => {
      const [from, to] = edge.split(' -> ');
      return !allowed.get(from)?.includes(to) && !(edge in KNOWN_UPWARD);
    });
    expect(describeEdges(refused), 'imports ALLOWED does not list').to.equal('');
  });

  it('still has each import that KNOWN_UPWARD lists', () => {
    const gone = Object.keys(KNOWN_UPWARD).filter((edge) => !edges.has(edge));
    expect(gone.join('\n'), 'gone: delete them from KNOWN_UPWARD').to.equal('');
  });

  it('has no cycle between folders, apart from the known upward imports', () => {
    const folders = new Map<string, string[]>();
    for (const edge of edges.keys()) {
      const [from, to] = edge.split(' -> ');
      if (!(edge in KNOWN_UPWARD)) folders.set(from, [...(folders.get(from) ?? []), to]);
    }
    const cycle = findCycle(folders);
    const through = cycle?.slice(1).map((to, i) => `${cycle[i]} -> ${to}`);
    expect(through ? describeEdges(through) : 'none', 'a folder cycle').to.equal('none');
  });

  it('has no cycle between files', () => {
    expect(findCycle(files)?.join(' -> ') ?? 'none', 'a file cycle').to.equal('none');
  });
});
