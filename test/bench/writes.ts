/**
 * The bench's writes: POST /tweets, like and follow, each by 50 users taking turns, each
 * request a distinct write (tweets may repeat their author; likes and follows never repeat a
 * pair). CPU is counted from /proc until the worker has done every job they made.
 */
import type { Sequelize } from 'sequelize';
import {
  CPU_GROUPS,
  measureWrite,
  type Generator,
  type Session,
  type WriteFigures,
} from './harness';
import type { Group } from '../load/cpu';

/** Distinct writers of the write runs. */
export const WRITERS = 50;
/**
 * BENCH_PROFILE=1: the API and the worker each write a CPU profile (SIGUSR2,
 * app/ops/profiler.ts) of every write run, from its start until its jobs are done.
 */
const PROFILE = process.env.BENCH_PROFILE === '1';
const WARM_UP_SECONDS = 3;

export interface WriteDeps {
  base: string;
  generator: Generator;
  register: () => Promise<Session>;
  sequelize: Sequelize;
  /** The API and worker processes, by pid. */
  known: Map<number, Group>;
  connections: number;
  seconds: number;
}

/** Runs the three writes; answers each one's name and figures, and the writers. */
export async function measureWrites(
  deps: WriteDeps,
): Promise<{ writes: [string, WriteFigures][]; writers: Session[] }> {
  const { base, generator, sequelize, known, connections, seconds } = deps;
  const { insertUsers, tweetIdsBy, writesSettled } = await import('./world');
  const writers = await Promise.all(Array.from({ length: WRITERS }, deps.register));
  const settle = () => writesSettled(sequelize);
  const profile = () => {
    if (PROFILE) for (const pid of known.keys()) process.kill(pid, 'SIGUSR2');
  };
  const write = async (
    url: string,
    requests: { path: string; token: string }[],
    { body, repeat = false }: { body?: string; repeat?: boolean } = {},
  ) => {
    profile();
    const figures = await measureWrite(
      generator,
      { url, method: 'POST', body, requests, repeat, connections, seconds },
      known,
      settle,
    );
    profile();
    return figures;
  };
  /** Request k: writer k mod 50 on target (round + writer × step): no pair twice, in turn. */
  const pairs = (targets: string[], path: (target: string) => string) => {
    const step = Math.max(1, Math.floor(targets.length / WRITERS));
    return Array.from({ length: WRITERS * targets.length }, (_, k) => {
      const w = k % WRITERS;
      const target = targets[(Math.floor(k / WRITERS) + w * step) % targets.length];
      return { path: path(target), token: writers[w].accessToken };
    });
  };
  const tweets = writers.map((w) => ({ path: '/tweets', token: w.accessToken }));
  const body = JSON.stringify({ content: 'Benchmarking Chirp, one tweet at a time.' });
  // Unmeasured: a few seconds of posts first, so the processes' code is compiled before CPU
  // is counted (run alone, the writes met cold processes and counted their warm-up).
  await generator.load({
    url: `${base}/tweets`,
    method: 'POST',
    body,
    requests: tweets,
    repeat: true,
    connections,
    seconds: WARM_UP_SECONDS,
  });
  await settle();
  const writes: [string, WriteFigures][] = [];
  writes.push([
    `POST /tweets (${WRITERS} authors)`,
    await write(`${base}/tweets`, tweets, { body, repeat: true }),
  ]);
  // The requests above cycle on purpose (any author may post again); likes and follows
  // must not repeat, so each has its own (writer, target) pair.
  const posted = await tweetIdsBy(
    sequelize,
    writers.map((w) => w.id),
    2000,
  );
  writes.push([
    `POST /tweets/:id/like (${posted.length} tweets)`,
    await write(
      `${base}/tweets`,
      pairs(posted, (id) => `/tweets/${id}/like`),
    ),
  ]);
  const followees = await insertUsers(sequelize, 'followee', 1000);
  writes.push([
    'POST /users/:id/follow (1000 users)',
    await write(
      `${base}/users`,
      pairs(followees, (id) => `/users/${id}/follow`),
    ),
  ]);
  return { writes, writers };
}

/** The writes' table: rate, median latency and CPU ms per request by process group. */
export function writeLines(seconds: number, writes: [string, WriteFigures][]): string[] {
  const fmt = (value: number) => Math.round(value).toString().padStart(7);
  const cpuHeader = CPU_GROUPS.map((g) => g.padStart(7)).join('');
  return [
    `writes (${seconds} s runs, CPU sampled from /proc until the worker has done every job):`,
    `${'write'.padEnd(42)}${'req/s'.padStart(7)}${'p50 ms'.padStart(8)}  CPU ms per request:${cpuHeader}${'total'.padStart(7)}`,
    ...writes.map(([name, w]) => {
      const cpu = CPU_GROUPS.map((g) => w.msPerRequest[g].toFixed(2).padStart(7)).join('');
      const total = CPU_GROUPS.reduce((sum, g) => sum + w.msPerRequest[g], 0);
      return `${name.padEnd(42)}${fmt(w.result.rps)}${String(w.result.p50).padStart(8)}  ${''.padEnd(19)}${cpu}${total.toFixed(2).padStart(7)}`;
    }),
  ];
}
