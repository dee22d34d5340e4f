/**
 * `npm run bench:capacity`: the per-item costs docs/scaling.md's capacity model is built from,
 * measured on a real API node and worker (production mode) over a database and Redis database
 * of their own (CAPACITY_DATABASE_URL, default chirp_capacity; CAPACITY_REDIS_URL, default
 * Redis database 9):
 *
 * - Redis memory by key family (MEMORY USAGE of every key, exact), after one reader's home
 *   timeline reached its cap and every tweet in it was read once, so the tweet cache holds it;
 * - MySQL rows written, redo log bytes and statements per tweet, like and follow, and Redis
 *   commands per write, counted from the servers' global counters (a quiet machine only);
 * - fan-out work per tweet by follower count: the worker's and Redis's CPU, Redis commands;
 * - sockets and events per API process: memory per connected socket, API CPU per delivery;
 * - bytes per row on disk of the large tables, after a bulk seed (`--seed-users N`, default
 *   20,000 users with 10 tweets and 20 follows each; 0 skips it).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type Redis from 'ioredis';
import { QueryTypes, type Sequelize } from 'sequelize';

const { values: args } = parseArgs({
  options: { 'seed-users': { type: 'string' } },
  strict: true,
});
const SEED_USERS = Number(args['seed-users'] ?? 20_000);
const DATABASE_URL =
  process.env.CAPACITY_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/chirp_capacity';

Object.assign(process.env, {
  NODE_ENV: 'production',
  DATABASE_URL,
  REDIS_URL: process.env.CAPACITY_REDIS_URL ?? 'redis://127.0.0.1:6379/9',
  JWT_SECRET: 'capacity-secret-capacity-secret-0123456789',
  BCRYPT_ROUNDS: '4',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_POINTS: '1000000',
  AUTH_RATE_LIMIT_POINTS: '1000000',
});

/** A tweet of typical length (about 100 characters), different each time. */
const content = (i: number) =>
  `Capacity tweet number ${i}: a line of about one hundred characters, as most tweets are. #cap`;

/** Runs `task` for 0..count-1, `parallel` at a time. */
async function inParallel(count: number, parallel: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** A process's resident memory in bytes. */
function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function redisCounters(redis: Redis): Promise<{ commands: number; cpu: number }> {
  const info = await redis.info();
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)![1]);
  return {
    commands: field('total_commands_processed'),
    cpu: field('used_cpu_sys') + field('used_cpu_user'),
  };
}

/** Row operations (temporary tables aside), commits, redo bytes and statements, server-wide. */
const MYSQL_COUNTERS = [
  'Handler_write',
  'Handler_update',
  'Handler_delete',
  'Handler_commit',
  'Innodb_os_log_written',
  'Questions',
] as const;

async function mysqlCounters(sequelize: Sequelize): Promise<Record<string, number>> {
  const rows = await sequelize.query<{ Variable_name: string; Value: string }>(
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${MYSQL_COUNTERS.map((n) => `'${n}'`).join(',')})`,
    { type: QueryTypes.SELECT },
  );
  return Object.fromEntries(rows.map((row) => [row.Variable_name, Number(row.Value)]));
}

/** A key's family: its name with every run of digits written `#`. */
const familyOf = (key: string) => key.replace(/\d+/g, '#');

async function memoryByFamily(redis: Redis) {
  const families = new Map<string, { keys: number; bytes: number }>();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of found) {
      const bytes = Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
      const family = families.get(familyOf(key)) ?? { keys: 0, bytes: 0 };
      family.keys += 1;
      family.bytes += bytes;
      families.set(familyOf(key), family);
    }
  } while (cursor !== '0');
  return [...families.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

async function main(): Promise<void> {
  const { sequelize } = await import('../../app/infra/db');
  const { redis, closeRedis } = await import('../../app/infra/redis');
  const { config } = await import('../../config');
  const { keys } = await import('../../app/cache/keys');
  const { startProcess, freePort } = await import('../helpers/processes');
  const { resetStores } = await import('../helpers/stores');
  const { benchClient } = await import('./harness');
  const { insertUsers, insertFollows, writesSettled } = await import('./world');

  await resetStores();
  const port = await freePort();
  const api = await startProcess('dist/app/index.js', { PORT: String(port) });
  const worker = await startProcess('dist/workers/index.js');
  const { call, register } = benchClient(`http://127.0.0.1:${port}`, 'cap');
  const settle = () => writesSettled(sequelize);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  // Bull's idle polling and settle()'s own queue counts cost Redis commands at a steady rate:
  // measured idle, then taken off every window's count.
  type Sample = Awaited<ReturnType<typeof redisCounters>> & { at: number };
  const sample = async (): Promise<Sample> => ({ at: Date.now(), ...(await redisCounters(redis)) });
  const idleStart = await sample();
  for (let i = 0; i < 10; i += 1) await settle();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await settle();
  const idleEnd = await sample();
  const idleMs = idleEnd.at - idleStart.at;
  const idle = {
    commands: (idleEnd.commands - idleStart.commands) / idleMs,
    cpu: (idleEnd.cpu - idleStart.cpu) / idleMs,
  };
  /** Redis commands and CPU ms of a window, less the idle rate, per item. */
  const busyCommands = (r0: Sample, r1: Sample, per: number) =>
    round((r1.commands - r0.commands - idle.commands * (r1.at - r0.at)) / per);
  const busyCpuMs = (r0: Sample, r1: Sample, per: number) =>
    round(((r1.cpu - r0.cpu - idle.cpu * (r1.at - r0.at)) * 1000) / per, 2);
  say(
    `Redis while idle (Bull's polling, this script's): ${round(idle.commands * 1000)} commands/s`,
  );

  try {
    // A full home timeline, its author's timeline, and the tweet cache of every item in it.
    const cap = config.timeline.maxLength;
    const [author, reader] = [await register(), await register()];
    await call('POST', `/users/${author.id}/follow`, reader.accessToken);
    await call('GET', '/tweets?limit=1', reader.accessToken); // the reader's timeline exists
    await inParallel(cap + 20, 8, (i) =>
      call('POST', '/tweets', author.accessToken, { content: content(i) }),
    );
    await settle();
    await call('GET', `/users/${author.id}/tweets?limit=20`, reader.accessToken); // builds it
    let cursor: string | null = null;
    let read = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const { json } = await call('GET', `/tweets?limit=100${query}`, reader.accessToken);
      read += (json.data as unknown[]).length;
      cursor = json.nextCursor as string | null;
    } while (cursor !== null);
    const likedIds = (
      (await call('GET', '/tweets?limit=100', reader.accessToken)).json.data as { id: string }[]
    ).map((tweet) => tweet.id);
    for (const id of likedIds) await call('POST', `/tweets/${id}/like`, reader.accessToken);
    await call('GET', '/tweets?limit=20', reader.accessToken); // loads the reader's like set
    await settle();
    const usage = async (key: string) =>
      Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    say(`\nRedis memory (MEMORY USAGE, exact), timeline cap ${cap}, ${read} items read:`);
    say(
      `  home timeline of ${(await redis.zcard(keys.home(reader.id))) - 1} entries: ${await usage(keys.home(reader.id))} bytes`,
    );
    // An author timeline is kept only for authors with BUSY_FOLLOWERS followers (a sorted set
    // shaped as the home timeline); this author has one follower, so there is none to weigh.
    say(
      `  like set of ${(await redis.scard(keys.liked(reader.id))) - 1} tweets: ${await usage(keys.liked(reader.id))} bytes`,
    );
    say('  by key family (bytes in all, keys, bytes per key):');
    for (const [family, { keys: count, bytes }] of (await memoryByFamily(redis)).slice(0, 25))
      say(
        `    ${family.padEnd(44)} ${String(bytes).padStart(9)} ${String(count).padStart(6)} ${round(bytes / count)}`,
      );
    const info = await redis.info('memory');
    say(`  used_memory of the whole server: ${/used_memory:(\d+)/.exec(info)![1]} bytes`);

    // Writes: MySQL rows, redo bytes and statements, and Redis commands, per request.
    const writers = await Promise.all(Array.from({ length: 20 }, register));
    const targets = await insertUsers(sequelize, 'capfollowee', 200);
    const N = 200;
    const perWrite = async (name: string, request: (i: number) => Promise<unknown>) => {
      await settle();
      const [m0, r0] = [await mysqlCounters(sequelize), await sample()];
      await inParallel(N, 8, request);
      await settle();
      const [m1, r1] = [await mysqlCounters(sequelize), await sample()];
      const d = (n: string) => round((m1[n] - m0[n]) / N);
      say(
        `  ${name.padEnd(24)} rows +${d('Handler_write')} ~${d('Handler_update')} -${d('Handler_delete')}  commits ${d('Handler_commit')}  redo ${d('Innodb_os_log_written')} B  statements ${d('Questions')}  Redis commands ${busyCommands(r0, r1, N)}`,
      );
    };
    say(`\nPer write (${N} of each, by 20 users; includes the worker's own writes and Bull):`);
    await perWrite('POST /tweets', (i) =>
      call('POST', '/tweets', writers[i % 20].accessToken, { content: content(i) }),
    );
    await perWrite('POST /tweets/:id/like', (i) =>
      call('POST', `/tweets/${likedIds[i % 100]}/like`, writers[i % 20].accessToken),
    );
    await perWrite('POST /users/:id/follow', (i) =>
      call('POST', `/users/${targets[i % 200]}/follow`, writers[Math.floor(i / 10)].accessToken),
    );

    // Fan-out by follower count (every follower's timeline exists, so each gets the entry).
    say('\nFan-out per tweet by follower count (worker CPU, Redis CPU, Redis commands):');
    const workerPid = worker.child.pid!;
    for (const [followers, tweets] of [
      [0, 100],
      [100, 50],
      [1000, 20],
      [5000, 5],
    ]) {
      const poster = await register();
      const fans = followers ? await insertUsers(sequelize, `capfan${followers}_`, followers) : [];
      if (fans.length) await insertFollows(sequelize, fans, poster.id);
      const pipeline = redis.pipeline();
      for (const id of fans) pipeline.zadd(keys.home(id), 0, '0');
      await pipeline.exec();
      await settle();
      const [w0, r0] = [cpuSeconds(workerPid), await sample()];
      for (let i = 0; i < tweets; i += 1)
        await call('POST', '/tweets', poster.accessToken, { content: content(i) });
      await settle();
      const [w1, r1] = [cpuSeconds(workerPid), await sample()];
      say(
        `  ${String(followers).padStart(5)} followers: worker ${round(((w1 - w0) * 1000) / tweets, 2)} ms, Redis ${busyCpuMs(r0, r1, tweets)} ms, ${busyCommands(r0, r1, tweets)} commands`,
      );
    }

    // Sockets and events per API process: the memory a connected socket holds, and the API's
    // CPU per `tweet:new` it delivers (the worker's fan-out is counted above).
    const SOCKETS = 1000;
    const ROUNDS = 10;
    const { signAccessToken } = await import('../../app/auth/tokens');
    const { io } = await import('socket.io-client');
    const speaker = await register();
    const listeners = await insertUsers(sequelize, 'caplive', SOCKETS);
    await insertFollows(sequelize, listeners, speaker.id);
    // A node of their own that served nothing before, so its heap has no garbage to absorb
    // them and its CPU is only the deliveries' (the posts go through the first node).
    const livePort = await freePort();
    const live = await startProcess('dist/app/index.js', { PORT: String(livePort) });
    const apiPid = live.child.pid!;
    const rssBefore = rssBytes(apiPid);
    let heard = 0;
    const sockets = [];
    for (let start = 0; start < SOCKETS; start += 100) {
      const batch = listeners.slice(start, start + 100).map(async (id) => {
        const socket = io(`http://127.0.0.1:${livePort}`, {
          auth: { token: signAccessToken({ sub: id, ver: 0, fam: randomUUID() }) },
          transports: ['websocket'],
          reconnection: false,
        });
        socket.on('tweet:new', () => (heard += 1));
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        return socket;
      });
      sockets.push(...(await Promise.all(batch)));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const perSocket = (rssBytes(apiPid) - rssBefore) / SOCKETS;
    await settle();
    const a0 = cpuSeconds(apiPid);
    for (let i = 0; i < ROUNDS; i += 1) {
      await call('POST', '/tweets', speaker.accessToken, { content: content(i) });
    }
    await settle();
    const { eventually } = await import('../helpers/poll');
    await eventually(
      () => Promise.resolve(heard),
      (n) => n === SOCKETS * ROUNDS,
      'every socket heard every tweet',
    );
    const a1 = cpuSeconds(apiPid);
    for (const socket of sockets) socket.close();
    await live.stop();
    say(`\nRealtime on a fresh API node, ${SOCKETS} sockets, ${heard} deliveries of tweet:new:`);
    say(`  memory per connected socket: ${round(perSocket / 1024)} KiB (RSS growth / sockets)`);
    say(
      `  API CPU per delivered event: ${round(((a1 - a0) * 1_000_000) / heard)} µs (posts made on another node)`,
    );
  } finally {
    await api.stop();
    await worker.stop();
  }

  if (SEED_USERS > 0) {
    // Bytes per row on disk, from a bulk world of the seeder's own in a second database.
    const seedUrl = `${DATABASE_URL}_seed`;
    const seeded = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'seeders/index.ts',
        '--users',
        String(SEED_USERS),
        '--tweets',
        String(SEED_USERS * 10),
        '--follows',
        String(SEED_USERS * 20),
      ],
      { env: { ...process.env, DATABASE_URL: seedUrl }, stdio: 'inherit' },
    );
    if (seeded.status !== 0) throw new Error('the seeder failed');
    const seedDb = new URL(seedUrl).pathname.slice(1);
    // InnoDB refreshes DATA_LENGTH in the background: without ANALYZE the sizes read can be
    // those of the empty tables (16 KB over 200,000 rows: 0.1 B per row).
    const names = await sequelize.query<{ name: string }>(
      'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = :db',
      { replacements: { db: seedDb }, type: QueryTypes.SELECT },
    );
    for (const { name } of names) await sequelize.query(`ANALYZE TABLE \`${seedDb}\`.\`${name}\``);
    const tables = await sequelize.query<{ name: string; n: number; data: number; idx: number }>(
      `SELECT TABLE_NAME AS name, TABLE_ROWS AS n, DATA_LENGTH AS data, INDEX_LENGTH AS idx
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = :db ORDER BY DATA_LENGTH DESC`,
      { replacements: { db: seedDb }, type: QueryTypes.SELECT },
    );
    say(`\nMySQL bytes per row on disk (${seedDb}, InnoDB estimates after the seed):`);
    for (const table of tables.filter((t) => Number(t.n) > 1000))
      say(
        `  ${table.name.padEnd(20)} ${String(table.n).padStart(9)} rows  data ${round(Number(table.data) / Number(table.n))} B  indexes ${round(Number(table.idx) / Number(table.n))} B per row`,
      );
    await sequelize.query(`DROP DATABASE \`${seedDb}\``);
  }
  await sequelize.close();
  await closeRedis();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
