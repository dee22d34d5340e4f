import bcrypt from 'bcrypt';
import Redis from 'ioredis';
import type { RowDataPacket } from 'mysql2/promise';
import { Load, sleep, World } from './load';
import { ChaosStack } from './stack';
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
  unanswered: number;
  /** From the first fault to the first answer with every node ready and serving a timeline. */
  recoverMs: number | null;
  extra: Record<string, number | string>;
}

export interface Scenario {
  key: string;
  fault: string;
  stack?: { apis?: number; throughRelay?: boolean; env?: Record<string, string> };
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
    return {
      scenario: scenario.key,
      fault: scenario.fault,
      requests,
      serverErrors,
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
    for (const id of ids) pipeline.zadd(`tl:h:${id}`, 0, '0');
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
    for (const id of followers) pipeline.zscore(`tl:h:${id}`, entryId);
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
      while ((await watcher.zscore(`tl:h:${first}`, entryId)) === null) await sleep(2);
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
  fault: 'kill -9 of one of two API processes with requests in flight; the harness restarts it',
  stack: { apis: 2 },
  async inject(stack) {
    // Node 0 also holds every socket: they must reconnect and miss only what fell in the gap.
    await stack.killApi(0);
    await sleep(1000);
    await stack.startApi(0);
    return {};
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
  mysqlLock,
];

/** Scenarios the harness does not run yet, and why (printed with the table). */
export const NOT_RUN: Record<string, string> = {
  pm2_reload:
    'pm2 reload of API and worker under load: not built yet (test/cluster/pm2.test.ts covers a reload without the load)',
  mariadb_restart:
    "MariaDB restarted under load: needs a MariaDB of the harness's own (mariadb-install-db into a temp datadir); not built yet",
};
