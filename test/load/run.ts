/**
 * `npm run loadtest -- --target http://127.0.0.1:3000 --prefix <bulk prefix>` against a
 * running Chirp (its limits raised: RATE_LIMIT_POINTS=0, AUTH_RATE_LIMIT_POINTS high), or
 * `npm run loadtest -- --local` to build, seed and start a PM2 cluster of its own first.
 * Two stepped ramps (mixed.yml, realtime.yml) stop at their first failing step; the report
 * lands in docs/perf/<date>/.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { profilePrefix } from '../../app/ops/profileFiles';
import { BULK_PASSWORD, bulkUsername } from '../../seeders/bulkNames';
import { prepareArtillery } from './artillery';
import type { Group } from './cpu';
import { recordSlowQueries } from './evidence';
import { LOCAL_PREFIX, LOCAL_SEED, LOCAL_SERVICES, startLocal, type LocalCluster } from './local';
import { summariseProfiles } from './profile';
import { writeReport } from './report';
import {
  bestStep,
  mixedRamp,
  profiledMixedStep,
  profiledSocketStep,
  socketRamp,
  type Session,
  type Step,
} from './steps';

const SESSIONS = 300;

async function signIn(
  base: string,
  prefix: string,
  from: number,
  count: number,
): Promise<Session[]> {
  const sessions: Session[] = [];
  for (let i = from; i < from + count; i += 1) {
    const response = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: bulkUsername(prefix, i), password: BULK_PASSWORD }),
    });
    const body = (await response.json()) as { user: { id: string }; accessToken: string };
    if (response.status !== 200)
      throw new Error(`sign-in of ${bulkUsername(prefix, i)} answered ${response.status}`);
    sessions.push({ id: body.user.id, token: body.accessToken });
  }
  return sessions;
}

async function followAll(base: string, followers: Session[], followees: Session[]): Promise<void> {
  for (const follower of followers)
    for (const followee of followees) {
      const response = await fetch(`${base}/users/${followee.id}/follow`, {
        method: 'POST',
        headers: { authorization: `Bearer ${follower.token}` },
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`follow answered ${response.status}: ${text}`);
    }
}

/** CPU profiles app/ops/profiler.ts wrote for that API process since `since` (epoch ms). */
function profilesOf(pid: number, since: number): string[] {
  const dir = os.tmpdir();
  return readdirSync(dir)
    .filter((name) => name.startsWith(profilePrefix('api', pid)) && name.endsWith('.cpuprofile'))
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).mtimeMs >= since);
}

/** Summarises a profiled step's CPU profiles, then deletes them (they are large). */
function profileOf({ step, files }: { step: Step; files: string[] }) {
  const summary = summariseProfiles(files);
  files.forEach((file) => rmSync(file, { force: true }));
  return { step, summary };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      prefix: { type: 'string' },
      local: { type: 'boolean' },
      'redis-url': { type: 'string' },
      'database-url': { type: 'string' },
      'metrics-token': { type: 'string' },
      only: { type: 'string' },
      rates: { type: 'string' },
      sockets: { type: 'string' },
    },
  });
  if (!values.local && !(values.target && values.prefix)) {
    throw new Error(
      'usage: npm run loadtest -- --local | --target http://127.0.0.1:<port> --prefix <bulk prefix> ' +
        '[--redis-url redis://…/<db>] [--database-url mysql://…/<db>] [--metrics-token <METRICS_TOKEN>] ' +
        '[--only mixed|realtime] ' +
        '[--rates 100,200,… (arrivals/s)] [--sockets 500,1000,…]',
    );
  }
  if (
    values.target &&
    !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(values.target)
  ) {
    throw new Error('--target must be a loopback URL');
  }
  const only = values.only as 'mixed' | 'realtime' | undefined;
  const list = (value: string | undefined) => {
    const numbers = value?.split(',').map(Number);
    if (numbers?.some((n) => !Number.isInteger(n) || n < 1))
      throw new Error(`--rates and --sockets take whole numbers separated by commas: ${value}`);
    return numbers;
  };
  const rates = list(values.rates);
  const socketCounts = list(values.sockets);
  prepareArtillery();
  let cluster: LocalCluster | null = null;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const services = values.local
    ? { ...LOCAL_SERVICES }
    : {
        redisUrl: values['redis-url'],
        databaseUrl: values['database-url'],
        metricsToken: values['metrics-token'],
      };
  // Before the cluster opens its connections: the slow-query threshold applies to new ones.
  const slowLog = values.local
    ? await recordSlowQueries(LOCAL_SERVICES.databaseUrl, LOCAL_SERVICES.database)
    : null;
  try {
    if (values.local) cluster = await startLocal(Number(process.env.LOADTEST_PORT ?? 3311));
    const base = cluster?.base ?? values.target!.replace(/\/$/, '');
    const prefix = values.local ? LOCAL_PREFIX : values.prefix!;
    log(`Target ${base}; signing in ${SESSIONS + 2} bulk users (${prefix}_*)…`);
    const sessions = await signIn(base, prefix, 0, SESSIONS);
    const posters = await signIn(base, prefix, SESSIONS, 2);
    await followAll(base, sessions, posters);
    const pids = cluster ? () => cluster!.pids() : () => new Map<number, Group>();
    const ctx = { base, pids, cores: os.cpus().length, services, log };
    await slowLog?.mark();
    const mixed = only === 'realtime' ? [] : await mixedRamp(ctx, sessions, rates);
    // Profiles need the API processes' pids: only the cluster of --local is ours to signal.
    const bestMixed = bestStep(mixed);
    const mixedProfile =
      cluster && bestMixed
        ? profileOf(await profiledMixedStep(ctx, sessions, bestMixed.load, profilesOf))
        : null;
    const sockets = only === 'mixed' ? [] : await socketRamp(ctx, sessions, posters, socketCounts);
    const bestSockets = bestStep(sockets);
    const socketProfile =
      cluster && bestSockets
        ? profileOf(await profiledSocketStep(ctx, sessions, posters, bestSockets.load, profilesOf))
        : null;
    const slowQueries = slowLog ? await slowLog.collect() : null;
    const dir = await writeReport({
      target: base,
      machine: `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, shared; Node ${process.version}`,
      seed: values.local
        ? `local PM2 cluster of ${cluster!.apiInstances} API processes and a worker, bulk seed of ${LOCAL_SEED.users} users, ${LOCAL_SEED.tweets} tweets, ${LOCAL_SEED.follows} follows`
        : `bulk prefix ${prefix}`,
      mixed,
      sockets,
      profiles: { mixed: mixedProfile, realtime: socketProfile },
      slowQueries,
    });
    log(`Report: ${dir}/summary.md`);
  } finally {
    cluster?.stop();
    await slowLog?.restore();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `loadtest failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
