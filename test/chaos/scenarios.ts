import bcrypt from 'bcrypt';
import Redis from 'ioredis';
import type { RowDataPacket } from 'mysql2/promise';
import { Load, sleep, World } from './load';
import { keys } from '../../app/cache/keys';
import { ChaosStack, PM2_API_INSTANCES } from './stack';
import { type Findings, verify } from './verify';

/** Load before the fault, so the fault meets writes in flight. */
const WARMUP_MS = 3000;
/** Load after recovery, so writes made right after it are checked too. */
const AFTER_MS = 4000;
/** A fault's length by default: Redis frozen, the relay cut, the lock held. */
const FAULT_MS = 10_000;

/** How a run shapes its scenarios (the in-suite test shortens the fault to fit CI time). */
export interface RunOptions {
  faultMs: number;
  /** Called by a scenario whose fault starts after a setup of its own (recovery counts from it). */
  faultStarted?: () => void;
  /** The scenario's database: `chirp_chaos_<key>` unless given. */
  database?: string;
}
/** No answer within this long after the fault is lifted: recovery is reported as failed. */
const RECOVERY_DEADLINE_MS = 90_000;

export interface Row extends Findings {
  scenario: string;
  fault: string;
  requests: number;
  serverErrors: number;
  /** 5xx answers other than 503 unavailable (the documented answer to a fault): bugs. */
  serverErrorsNot503: number;
  unanswered: number;
  /** From the first fault to the first answer with every node ready and serving a timeline. */
  recoverMs: number | null;
  extra: Record<string, number | string>;
}

export interface Scenario {
  key: string;
  fault: string;
  stack?: {
    apis?: number;
    throughRelay?: boolean;
    env?: Record<string, string>;
    pm2?: boolean;
    ownMariadb?: boolean;
  };
  /** Causes the fault and lifts it; answers figures of its own for the row. */
  inject(
    stack: ChaosStack,
    world: World,
    options: RunOptions,
  ): Promise<Record<string, number | string>>;
}

/** The pid of a Redis server, from itself (OwnRedis keeps its child to itself). */
async function redisPid(port: number): Promise<number> {
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  try {
    const info = await client.info('server');
    return Number(/process_id:(\d+)/.exec(info)![1]);
  } finally {
    client.disconnect();
  }
}

async function healthy(stack: ChaosStack, world: World): Promise<boolean> {
  const token = world.members[0].accessToken;
  const answers = await Promise.all(
    stack.apis.flatMap((node) => [
      fetch(`${node.base}/readyz`, { signal: AbortSignal.timeout(2000) }),
      fetch(`${node.base}/tweets?limit=5`, {
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(2000),
      }),
    ]),
  ).catch(() => []);
  return answers.length > 0 && answers.every((answer) => answer.status === 200);
}

async function recoveryTime(stack: ChaosStack, world: World, faultAt: number) {
  const deadline = Date.now() + RECOVERY_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (await healthy(stack, world)) return Date.now() - faultAt;
    await sleep(200);
  }
  return null;
}

/** Runs one scenario in a stack of its own under the steady load; always stops what it started. */
export async function runScenario(
  scenario: Scenario,
  options: RunOptions = { faultMs: FAULT_MS },
): Promise<Row> {
  const stack = await ChaosStack.start({
    database: options.database ?? `chirp_chaos_${scenario.key}`,
    ...scenario.stack,
  });
  let world: World | undefined;
  try {
    world = await World.build(stack);
    const load = new Load(world);
    load.start();
    await sleep(WARMUP_MS);
    let faultAt = Date.now();
    const extra = await scenario.inject(stack, world, {
      ...options,
      faultStarted: () => (faultAt = Date.now()),
    });
    const recoverMs = await recoveryTime(stack, world, faultAt);
    await sleep(AFTER_MS);
    await load.stop();
    const findings = await verify(stack, world, load);
    const { requests, serverErrors, unanswered } = world.client.counts;
    const byStatus = Object.entries(world.client.serverErrorsByStatus);
    if (byStatus.length) extra['5xx by status'] = byStatus.map(([s, n]) => `${s}×${n}`).join(' ');
    return {
      scenario: scenario.key,
      fault: scenario.fault,
      requests,
      serverErrors,
      serverErrorsNot503: byStatus.reduce((sum, [s, n]) => sum + (s === '503' ? 0 : n), 0),
      unanswered,
      recoverMs,
      ...findings,
      details: [...world.client.serverErrorSamples.map((s) => `5xx: ${s}`), ...findings.details],
      extra,
    };
  } finally {
    world?.close();
    await stack.stop();
  }
}

/** Followers seeded for the fan-out scenario, and the batch they are inserted in. */
const FANOUT_FOLLOWERS = 10_000;
const SEED_BATCH = 2000;

/**
 * Seeds an author with 10,000 followers straight into MySQL, each follower's home timeline
 * built (empty) in Redis so that the fan-out must write every one of them.
 */
async function seedFollowers(stack: ChaosStack, authorId: string): Promise<string[]> {
  const db = await stack.sql();
  const hash = await bcrypt.hash('correct horse battery', 4);
  const ids: string[] = [];
  for (let start = 0; start < FANOUT_FOLLOWERS; start += SEED_BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(FANOUT_FOLLOWERS, start + SEED_BATCH); i += 1) {
      const name = `fan${i}`;
      rows.push([name, name, `${name}@chaos.test`, `${name}@chaos.test`, name, hash, 1]);
    }
    const [result] = await db.query<RowDataPacket[] & { insertId: number }>(
      `INSERT INTO users (username, username_key, email, email_key, display_name, password_hash,
       following_count, created_at, updated_at) VALUES ?`,
      [rows.map((row) => [...row, new Date(), new Date()])],
    );
    const first = Number(result.insertId);
    for (let k = 0; k < rows.length; k += 1) ids.push(String(first + k));
  }
  for (let start = 0; start < ids.length; start += SEED_BATCH) {
    const batch = ids.slice(start, start + SEED_BATCH);
    await db.query('INSERT INTO follows (follower_id, followee_id, created_at) VALUES ?', [
      batch.map((id) => [id, authorId, new Date()]),
    ]);
  }
  await db.query('UPDATE users SET followers_count = followers_count + ? WHERE id = ?', [
    ids.length,
    authorId,
  ]);
  const redis = new Redis(stack.redis.url);
  try {
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.zadd(keys.home(id), 0, '0');
    await pipeline.exec();
  } finally {
    redis.disconnect();
  }
  return ids;
}

/** How many of the followers' home timelines (in Redis) hold the entry. */
async function timelinesHolding(stack: ChaosStack, followers: string[], entryId: string) {
  const redis = new Redis(stack.redis.url);
  try {
    const pipeline = redis.pipeline();
    for (const id of followers) pipeline.zscore(keys.home(id), entryId);
    const results = (await pipeline.exec()) ?? [];
    return results.filter(([, score]) => score !== null).length;
  } finally {
    redis.disconnect();
  }
}

const fanoutKill: Scenario = {
  key: 'worker_kill_fanout',
  fault: 'kill -9 of the worker while it fans a tweet out to 10,000 followers',
  // Exactly 10,000 followers must still be fanned out on write, not merged at read time.
  stack: { env: { FANOUT_CELEBRITY_THRESHOLD: '20000' } },
  async inject(stack, world, { faultStarted }) {
    const author = world.followees[0];
    const followers = await seedFollowers(stack, author.id);
    const first = followers[0];
    const posted = await world.client.call('POST', '/tweets', {
      token: author.accessToken,
      body: { content: 'to ten thousand followers' },
    });
    if (posted.status !== 201) throw new Error(`the fan-out tweet answered ${posted.status}`);
    const entryId = String(posted.body.id);
    const watcher = new Redis(stack.redis.url);
    try {
      // The first page of followers is written first: once it shows, the fan-out is under way.
      while ((await watcher.zscore(keys.home(first), entryId)) === null) await sleep(2);
    } finally {
      watcher.disconnect();
    }
    faultStarted?.();
    stack.worker?.child.kill('SIGSTOP');
    const atKill = await timelinesHolding(stack, followers, entryId);
    await stack.killWorker();
    await stack.startWorker();
    const deadline = Date.now() + RECOVERY_DEADLINE_MS;
    let holding = atKill;
    while (holding < followers.length && Date.now() < deadline) {
      await sleep(1000);
      holding = await timelinesHolding(stack, followers, entryId);
    }
    const sampled = [0, 1999, 2000, 5000, 9998, 9999];
    const sample = await followersSeeingTweet(world, sampled, entryId);
    return {
      timelinesAtKill: atKill,
      timelinesMissingAfter: followers.length - holding,
      sampledFollowersSeeingItOnce: `${sample.once}/${sample.of}`,
    };
  },
};

/** Signs sampled followers in (seeded as `fan<index>`) and reads their home timelines. */
async function followersSeeingTweet(world: World, indices: number[], entryId: string) {
  let once = 0;
  for (const index of indices) {
    const login = await world.client.call('POST', '/auth/login', {
      body: { username: `fan${index}`, password: 'correct horse battery' },
      count: false,
    });
    if (login.status !== 200) continue;
    const home = await world.client.call('GET', '/tweets?limit=100', {
      token: login.body.accessToken,
      count: false,
    });
    const ids = ((home.body?.data ?? []) as { id: string }[]).map((item) => String(item.id));
    if (ids.filter((item) => item === entryId).length === 1) once += 1;
  }
  return { once, of: indices.length };
}

const redisRestart: Scenario = {
  key: 'redis_restart_empty',
  fault: 'Redis stopped and started again empty under load',
  async inject(stack) {
    await stack.redis.stop();
    await sleep(2000);
    await stack.redis.start();
    return {};
  },
};

const redisFreeze: Scenario = {
  key: 'redis_frozen',
  fault: 'Redis frozen 10 s (SIGSTOP, then SIGCONT)',
  async inject(stack, _world, { faultMs }) {
    const pid = await redisPid(stack.redis.port);
    process.kill(pid, 'SIGSTOP');
    try {
      await sleep(faultMs);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    return {};
  },
};

const redisCut: Scenario = {
  key: 'redis_cut',
  fault: 'Redis connections cut by a TCP relay for 10 s, then restored',
  stack: { throughRelay: true },
  async inject(stack, _world, { faultMs }) {
    await stack.relay!.close();
    await sleep(faultMs);
    await stack.relay!.open();
    return {};
  },
};

const apiKill: Scenario = {
  key: 'api_kill',
  fault:
    'kill -9 of one of two API processes (plain node processes, not PM2) with requests in flight; the harness restarts it',
  stack: { apis: 2 },
  async inject(stack) {
    // Node 0 also holds every socket: they must reconnect and miss only what fell in the gap.
    await stack.killApi(0);
    await sleep(1000);
    await stack.startApi(0);
    return {};
  },
};

/** Waits until PM2 reports every API process online and none of `gone` among them. */
async function pm2ApisOnline(stack: ChaosStack, gone: number[]): Promise<number[]> {
  const deadline = Date.now() + RECOVERY_DEADLINE_MS;
  for (;;) {
    const pids = await stack.pm2!.onlinePids('api').catch(() => []);
    if (pids.length === PM2_API_INSTANCES && !pids.some((pid) => gone.includes(pid))) return pids;
    if (Date.now() > deadline) throw new Error(`PM2 API processes not back: ${pids.join(',')}`);
    await sleep(200);
  }
}

/** `pm2 reload <app>` against the stack's PM2; answers how long it took, in seconds. */
async function pm2Reload(stack: ChaosStack, app: 'api' | 'worker'): Promise<string> {
  const started = Date.now();
  const { code, output } = await stack.pm2!.run('reload', app);
  if (code !== 0) throw new Error(`pm2 reload ${app} exited ${code}:\n${output}`);
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

const pm2ReloadUnderLoad: Scenario = {
  key: 'pm2_reload',
  fault:
    'pm2 reload api, then pm2 reload worker, under load (pm2-runtime, 2 API processes in cluster mode)',
  stack: { pm2: true },
  async inject(stack) {
    const pm2 = stack.pm2!;
    const [apisBefore, workerBefore] = [
      await pm2.onlinePids('api'),
      await pm2.onlinePids('worker'),
    ];
    const apiReload = await pm2Reload(stack, 'api');
    await sleep(2000); // load on the new API processes before the worker is replaced
    const workerReload = await pm2Reload(stack, 'worker');
    const apisAfter = await pm2ApisOnline(stack, apisBefore);
    const workerAfter = await pm2.onlinePids('worker');
    return {
      apiReload,
      workerReload,
      apiProcessesReplaced: `${apisBefore.filter((pid) => !apisAfter.includes(pid)).length}/${apisBefore.length}`,
      workerReplaced: String(workerAfter.length === 1 && workerAfter[0] !== workerBefore[0]),
    };
  },
};

const pm2ApiKill: Scenario = {
  key: 'pm2_api_kill',
  fault:
    'kill -9 of one of two API processes of a PM2 cluster with requests in flight; PM2 restarts it',
  stack: { pm2: true },
  async inject(stack) {
    const [victim] = await stack.pm2!.onlinePids('api');
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');
    await pm2ApisOnline(stack, [victim]);
    return { pm2RestartedItIn: `${((Date.now() - killedAt) / 1000).toFixed(1)} s` };
  },
};

const mariadbRestart: Scenario = {
  key: 'mariadb_restart',
  fault:
    "MariaDB of the scenario's own stopped (SIGTERM) under load, started again 10 s later on the same datadir and port",
  stack: { ownMariadb: true },
  async inject(stack, _world, { faultMs }) {
    const server = stack.mariadb!;
    const stopping = Date.now();
    await server.stop('SIGTERM');
    const shutdown = `${((Date.now() - stopping) / 1000).toFixed(1)} s`;
    await sleep(faultMs);
    const starting = Date.now();
    await server.start();
    return { shutdown, startup: `${((Date.now() - starting) / 1000).toFixed(1)} s` };
  },
};

const mysqlLock: Scenario = {
  key: 'mysql_lock',
  fault: 'MariaDB lock on the members and their tweets held 10 s from a second connection',
  async inject(stack, world, { faultMs }) {
    const db = await stack.sql();
    const members = world.members.map((m) => m.id);
    await db.query('START TRANSACTION');
    try {
      // Every post bumps its author's counters; every like and reply its tweet's.
      await db.query('SELECT id FROM users WHERE id IN (?) FOR UPDATE', [members]);
      await db.query('SELECT id FROM tweets WHERE author_id IN (?) FOR UPDATE', [members]);
      await sleep(faultMs);
    } finally {
      await db.query('ROLLBACK');
    }
    return {};
  },
};

/** Every scenario, in the order of value the issue gives them. */
export const SCENARIOS: Scenario[] = [
  fanoutKill,
  redisRestart,
  redisFreeze,
  redisCut,
  apiKill,
  pm2ApiKill,
  mysqlLock,
  pm2ReloadUnderLoad,
  mariadbRestart,
];

/** Scenarios the harness does not run yet, and why (printed with the table). */
export const NOT_RUN: Record<string, string> = {};
