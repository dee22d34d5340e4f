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
  // Pure text rules with no I/O: the tweet entity parser (mentions, hashtags).
  'app/text': '',
  'app/infra': 'config',
  // HTTP plumbing: Koa routes, zod, paging, the error vocabulary, the metrics registry.
  'app/http': 'app/infra config',
  // Sequelize table definitions, and the migrations that create the tables.
  models: 'app/infra',
  migrations: 'app/text app/infra',
  // Jobs: the payload map, Bull queues, the outbox and its two tables' data modules.
  'app/queue': 'app/http app/infra config',
  // The data modules, one per table: all SQL. A notification is written with its push job.
  'app/records': 'app/queue app/infra models config',
  // The Redis cache (keys, Lua, upkeep), and mail.
  'app/cache': 'app/queue app/infra config',
  'app/mail': 'app/infra config',
  // Blocks and mutes: who must not see or act on whom (the hidden sets, the refusals), asked
  // by every resource that shows or acts on another user's things, and by the fan-out.
  'app/safety': 'app/records app/cache app/http app/infra config',
  // Resources, each with its routes, services and presenters. A home timeline is a cache of
  // tweet ids that tweet and follow writes keep up; a notification shows its tweet; users
  // (and follows) act on all three; auth signs users in.
  'app/timeline': 'app/records app/cache app/http app/infra config',
  'app/tweets':
    'app/text app/safety app/timeline app/records app/cache app/queue app/http app/infra config',
  'app/notifications': 'app/tweets app/records app/queue app/http app/infra config',
  'app/users':
    'app/tweets app/safety app/timeline app/records app/cache app/queue app/http app/infra config',
  // Taking an account away (suspension, deletion) also drops its cached tweets.
  'app/auth':
    'app/users app/tweets app/records app/cache app/queue app/http app/infra models config',
  // Search finds users and tweets and shows them as their resources do.
  'app/search': 'app/users app/tweets app/records app/cache app/http app/infra config',
  // Hashtags list the tweets that use a tag (and the trending tags), shown as tweets are.
  'app/hashtags': 'app/text app/tweets app/records app/cache app/http app/infra config',
  // Socket.IO, operations endpoints and the admin board sit beside the resources they read.
  // An API node pushes a notification itself after its action commits (a job's work).
  'app/realtime': 'app/auth app/notifications app/tweets app/queue app/http app/infra config',
  'app/ops': 'app/queue app/http app/infra config',
  // Delivering a new entry to followers' timelines and sockets: a worker's job, or an API
  // node's own work after the commit for an author with few followers.
  'app/delivery':
    'app/realtime app/tweets app/safety app/timeline app/records app/cache app/queue app/http app/infra config',
  // Admins act on accounts and tweets: suspensions revoke sessions and drop cached tweets.
  'app/admin':
    'app/auth app/users app/tweets app/records app/cache app/queue app/http app/infra config',
  // Deleting your own account: the request (password, sessions) and the job's steps.
  'app/accounts':
    'app/auth app/users app/tweets app/safety app/timeline app/records app/cache app/queue app/http app/infra config',
  // The top, which nothing imports: the API process, CLIs, workers, seeders.
  app: 'app/accounts app/admin app/auth app/delivery app/hashtags app/notifications app/ops app/realtime app/search app/tweets app/users app/queue app/http app/infra migrations config',
  'app/cli': 'app/text app/auth app/users app/records app/queue app/infra migrations models config',
  workers:
    'app/accounts app/auth app/delivery app/mail app/notifications app/ops app/realtime app/tweets app/safety app/timeline app/users app/records app/cache app/queue app/http app/infra config',
  seeders:
    'app/text app/auth app/users app/tweets app/hashtags app/timeline app/records app/cache app/infra migrations models config',
  // The typed client for apps imports nothing of the server, only its own generated types (so
  // an app can copy the folder); its generator reads the server's routes and event map.
  'clients/typescript/src': '',
  'clients/typescript/scripts': 'app',
};

const ROOT = path.resolve(__dirname, '../..');
const SOURCE_FOLDERS = ['app', 'workers', 'seeders', 'models', 'migrations', 'config', 'clients'];

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

/**
 * The layer of a file (relative to the root): `app/<folder>`, `app`, a client's
 * `clients/<language>/<folder>`, or its top folder.
 */
function layerOf(file: string): string {
  const parts = file.split(path.sep);
  if (parts[0] === 'clients') return parts.slice(0, 3).join('/');
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
      return !allowed.get(from)?.includes(to);
    });
    expect(describeEdges(refused), 'imports ALLOWED does not list').to.equal('');
  });

  it('has no cycle between folders', () => {
    const folders = new Map<string, string[]>();
    for (const edge of edges.keys()) {
      const [from, to] = edge.split(' -> ');
      folders.set(from, [...(folders.get(from) ?? []), to]);
    }
    const cycle = findCycle(folders);
    const through = cycle?.slice(1).map((to, i) => `${cycle[i]} -> ${to}`);
    expect(through ? describeEdges(through) : 'none', 'a folder cycle').to.equal('none');
  });

  it('has no cycle between files', () => {
    expect(findCycle(files)?.join(' -> ') ?? 'none', 'a file cycle').to.equal('none');
  });
});
