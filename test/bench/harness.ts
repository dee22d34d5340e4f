/**
 * The bench's processes, each on its own: the load generator (generator.ts), the bare server
 * and the lean server (servers/). Chirp's API and worker are started by index.ts. CPU per
 * request is sampled from /proc by process group with the load test's test/load/cpu.ts.
 */
import { snapshot, share, type Group } from '../load/cpu';
import type { RunningProcess } from '../helpers/processes';
import type { GeneratorMessage, LoadResult, LoadSpec } from './generator';

type Start = (entry: string, env?: Record<string, string | undefined>) => Promise<RunningProcess>;

export interface Generator {
  /** Runs `spec`; `onStart` is called as autocannon begins. Throws on errors or non-2xx. */
  load(spec: LoadSpec, onStart?: () => void): Promise<LoadResult>;
  stop(): Promise<unknown>;
}

export async function startGenerator(start: Start): Promise<Generator> {
  const running = await start('test/bench/generator.ts');
  const child = running.child;
  return {
    load(spec, onStart) {
      return new Promise<LoadResult>((resolve, reject) => {
        const onMessage = (message: GeneratorMessage) => {
          if (message.type === 'started') return onStart?.();
          child.off('message', onMessage);
          if (message.type === 'failed') return reject(new Error(message.error));
          const { result } = message;
          if (result.non2xx > 0 || result.errors > 0) {
            reject(
              new Error(`${spec.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`),
            );
          } else if (result.wrapped && !spec.repeat) {
            reject(
              new Error(`${spec.url}: its ${spec.requests?.length} distinct requests ran out`),
            );
          } else resolve(result);
        };
        child.on('message', onMessage);
        child.send(spec);
      });
    },
    stop: () => running.stop(),
  };
}

/** Sends `message` and waits for the child's `reply`. */
function ask(running: RunningProcess, message: unknown, reply: string): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (answer: unknown) => {
      if (answer !== reply) return;
      running.child.off('message', onMessage);
      resolve();
    };
    running.child.on('message', onMessage);
    running.child.send(message as object);
  });
}

export interface BareServer {
  url: string;
  /** Answers `body` from now on. */
  serve(body: string): Promise<void>;
  stop(): Promise<unknown>;
}

export async function startBare(start: Start, port: number): Promise<BareServer> {
  const running = await start('test/bench/servers/bare.ts', { PORT: String(port) });
  return {
    url: `http://127.0.0.1:${port}/`,
    serve: (body) => ask(running, { body }, 'set'),
    stop: () => running.stop(),
  };
}

export interface LeanServer {
  base: string;
  /** Stores `viewer`'s home timeline, newest first, each item as Chirp's JSON of it. */
  load(viewer: string, items: { id: string; json: string }[]): Promise<void>;
  stop(): Promise<unknown>;
}

export async function startLean(start: Start, port: number): Promise<LeanServer> {
  const running = await start('test/bench/servers/lean.ts', { PORT: String(port) });
  return {
    base: `http://127.0.0.1:${port}`,
    load: (viewer, items) => ask(running, { viewer, items }, 'loaded'),
    stop: () => running.stop(),
  };
}

export const CPU_GROUPS = ['api', 'worker', 'mysql', 'redis'] as const;
export type CpuGroup = (typeof CPU_GROUPS)[number];

/** A write's rate, and the CPU milliseconds each request cost in each process group. */
export interface WriteFigures {
  result: LoadResult;
  msPerRequest: Record<CpuGroup, number>;
}

/**
 * Runs a write load and samples CPU from the moment autocannon starts until `settle` has
 * answered after it (the worker's jobs done), so each request's whole cost is counted.
 * `known` names the API and worker processes; MySQL and Redis are found by their command
 * line (and count whatever else uses them meanwhile: run it on a quiet machine).
 */
export async function measureWrite(
  generator: Generator,
  spec: LoadSpec,
  known: Map<number, Group>,
  settle: () => Promise<void>,
): Promise<WriteFigures> {
  let before: ReturnType<typeof snapshot> | undefined;
  const result = await generator.load(spec, () => (before = snapshot(known)));
  await settle();
  const after = snapshot(known);
  if (!before) throw new Error('the generator never said it started');
  const seconds = (after.at - before.at) / 1000;
  const cores = share(before, after, 1); // % of one core per group
  if (result.total === 0) throw new Error(`${spec.url}: no request was answered`);
  const msPerRequest = Object.fromEntries(
    CPU_GROUPS.map((group) => [group, ((cores[group] / 100) * seconds * 1000) / result.total]),
  ) as Record<CpuGroup, number>;
  return { result, msPerRequest };
}

/** A signed-up bench user. */
export interface Session {
  id: string;
  accessToken: string;
}

/**
 * Calls Chirp at `base` as a client would (a 4xx or 5xx throws, naming the call), and signs up
 * users named `<prefix><n>`, one after another.
 */
export function benchClient(base: string, prefix: string) {
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(base + path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return {
      status: response.status,
      text,
      json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
  let registered = 0;
  const register = async (): Promise<Session> => {
    registered += 1;
    const name = `${prefix}${registered}`;
    const { json } = await call('POST', '/auth/register', undefined, {
      username: name,
      email: `${name}@bench.test`,
      password: 'bench password 123',
    });
    return { id: (json.user as { id: string }).id, accessToken: json.accessToken as string };
  };
  return { call, register };
}
