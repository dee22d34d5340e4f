/**
 * `npm run bench`: Chirp's hot paths against two servers answering the same bytes, each server
 * and the load generator a process of its own (test/bench/harness.ts): a bare node:http server
 * (the ceiling of any Node server here) and a lean one on Chirp's stack (Koa, an HS256 check,
 * one Lua call: the least a home-timeline read can do). Only ratios between neighbouring runs
 * mean anything on a shared machine. Writes report their rate and the CPU each request cost in
 * the API, the worker, MySQL and Redis. Chirp runs as in production: logs at info, rate limiting
 * on with a budget no run reaches. Its own database (BENCH_DATABASE_URL, default chirp_bench)
 * and Redis database (BENCH_REDIS_URL, default 14).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type Redis from 'ioredis';
import type { Sequelize } from 'sequelize';
import { PREFIX, VIEWER_FLAGS, keys } from '../../app/cache/keys';
import type { RunningProcess } from '../helpers/processes';
import type { LoadSpec } from './generator';
import { benchClient, startBare, startGenerator, startLean } from './harness';
import { measureWrites, writeLines } from './writes';
import { groupCpuMs } from '../load/cpu';

Object.assign(process.env, {
  NODE_ENV: 'production',
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/chirp_bench',
  REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14',
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
  BCRYPT_ROUNDS: '4',
  LOG_LEVEL: 'warn', // the bench's own; Chirp's processes log at info (CHIRP_ENV)
  // Rate limiting on, with a budget no run reaches; a second node runs with it off for the
  // on/off ratio.
  RATE_LIMIT_POINTS: '1000000',
  AUTH_RATE_LIMIT_POINTS: '1000000',
});
/** What Chirp's API and worker processes run with besides the above: production's log level. */
const CHIRP_ENV = { LOG_LEVEL: 'info' };

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/**
 * `BENCH_ONLY=reads` measures the reads of the first part (home, rate limiting on/off, one
 * tweet, notifications, popular, an author's tweets) and stops: cold reads, writes, fan-out
 * and realtime are skipped. `BENCH_PROFILE=1` has Chirp's API write a CPU profile (SIGUSR2,
 * app/ops/profiler.ts) around each of its measured reads, to the API's tmpdir.
 */
const ONLY_READS = process.env.BENCH_ONLY === 'reads';
const PROFILE = process.env.BENCH_PROFILE === '1';
const CONNECTIONS = 32;
/** Rounds of the home timeline's alternating runs (bare, lean, Chirp); other reads take one. */
const ROUNDS = 3;
/** BENCH_ONLY=writes runs the writes alone (a quicker loop while working on them). */
const WRITES_ONLY = process.env.BENCH_ONLY === 'writes';

interface ReadFigures {
  name: string;
  bytes: number;
  chirp: number;
  bare: number;
  lean: number;
  /** Medians of each round's ratio between neighbouring runs. */
  toBare: number;
  toLean: number;
  /** CPU milliseconds per request of Chirp's API process, and of lean's on the home timeline. */
  chirpMs: number;
  leanMs: number;
  /** The same for Redis (every redis-server on the machine), serving Chirp and serving lean. */
  chirpRedisMs: number;
  leanRedisMs: number;
}

/** A process's CPU time so far (user + system), in ms, from /proc. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ ticks
}

/** The pid of this process's child whose command line holds `marker` (a harness server). */
function childPidOf(marker: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (parent === process.pid && cmdline.includes(marker)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no process runs ${marker}`);
}

/** Chirp's process output, less its request logs (written, then dropped, as a pipe to PM2's file). */
function dropLogs(running: RunningProcess): RunningProcess {
  running.child.stdout?.removeAllListeners('data').resume();
  return running;
}

async function main(): Promise<void> {
  const { sequelize } = await import('../../app/infra/db');
  const { redis, closeRedis } = await import('../../app/infra/redis');
  const { startProcess, freePort } = await import('../helpers/processes');
  const { insertUsers, insertFollows } = await import('./world');
  const { resetStores } = await import('../helpers/stores');

  await resetStores(); // the benchmark's own database and Redis database

  const startChirp = async (entry: string, env: Record<string, string> = {}) =>
    dropLogs(await startProcess(entry, { ...CHIRP_ENV, ...env }));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const apiProcess = await startChirp('dist/app/index.js', { PORT: String(port) });
  const worker = await startChirp('dist/workers/index.js');
  const generator = await startGenerator(startProcess);
  const bare = await startBare(startProcess, await freePort());
  const lean = await startLean(startProcess, await freePort());
  const { call, register } = benchClient(base, 'bench');
  const get = (url: string, token: string): LoadSpec => ({
    url,
    headers: { authorization: `Bearer ${token}` },
    connections: CONNECTIONS,
    seconds: SECONDS,
  });
  const rps = async (spec: LoadSpec) => (await generator.load(spec)).rps;
  /** A run's rate and the CPU ms per request `pid` and Redis spent on it. */
  const rpsAndCpu = async (spec: LoadSpec, pid: number) => {
    let before = 0;
    let redisBefore = 0;
    const result = await generator.load(spec, () => {
      before = cpuMsOf(pid);
      redisBefore = groupCpuMs('redis');
    });
    const requests = Math.max(result.total, 1);
    return {
      rps: result.rps,
      ms: (cpuMsOf(pid) - before) / requests,
      redisMs: (groupCpuMs('redis') - redisBefore) / requests,
    };
  };
  const leanPid = childPidOf('servers/lean.ts');
  const began = performance.now();
  const step = (text: string) =>
    process.stdout.write(`[${Math.round((performance.now() - began) / 1000)} s] ${text}\n`);
  const known = new Map([
    [apiProcess.child.pid!, 'api' as const],
    [worker.child.pid!, 'worker' as const],
  ]);
  const writeDeps = {
    base,
    generator,
    register,
    sequelize,
    known,
    connections: CONNECTIONS,
    seconds: SECONDS,
  };

  try {
    if (WRITES_ONLY) {
      step('Writes only (BENCH_ONLY=writes)…');
      const { writes } = await measureWrites(writeDeps);
      process.stdout.write(['', ...writeLines(SECONDS, writes), ''].join('\n'));
      return;
    }
    step('Setting up: 20 authors with 2 tweets each, one reader following them all…');
    const authors = await Promise.all(Array.from({ length: 20 }, register));
    for (const author of authors) {
      for (let i = 0; i < 2; i += 1)
        await call('POST', '/tweets', author.accessToken, {
          content: `Tweet ${i} by ${author.id} 🐦`,
        });
    }
    const reader = await register();
    for (const author of authors)
      await call('POST', `/users/${author.id}/follow`, reader.accessToken);
    const warmPage = await call('GET', '/tweets?limit=20', reader.accessToken);
    const items = (warmPage.json.data as unknown[]).length;
    if (items !== 20) throw new Error(`expected 20 items in the reader's page, got ${items}`);

    // The lean server gets the reader's whole timeline as Chirp renders it, and must answer
    // the same first page, byte for byte.
    const timeline: { id: string; json: string }[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const { json } = await call('GET', `/tweets?limit=20${query}`, reader.accessToken);
      for (const item of json.data as { id: string }[])
        timeline.push({ id: item.id, json: JSON.stringify(item) });
      cursor = json.nextCursor as string | null;
    } while (cursor !== null);
    await lean.load(reader.id, timeline);
    const leanPage = await fetch(`${lean.base}/tweets?limit=20`, {
      headers: { authorization: `Bearer ${reader.accessToken}` },
    }).then((response) => response.text());
    if (leanPage !== warmPage.text)
      throw new Error(
        `the lean server's page differs from Chirp's:\n${leanPage}\n${warmPage.text}`,
      );

    /**
     * `path` read by the reader on Chirp and on bare (its bytes), alternating, and against
     * lean: the home timeline runs lean in each round; the others take that read's lean figure
     * (the lean server mimics the home timeline only).
     */
    let leanHome: number | undefined;
    const leanMsPerRequest: number[] = [];
    const leanRedisMsPerRequest: number[] = [];
    const measureRead = async (name: string, path: string, rounds = 1): Promise<ReadFigures> => {
      const { text } = await call('GET', path, reader.accessToken);
      await bare.serve(text);
      const chirp: number[] = [];
      const bareRps: number[] = [];
      const leanRps: number[] = [];
      const chirpMs: number[] = [];
      const chirpRedisMs: number[] = [];
      for (let round = 0; round < rounds; round += 1) {
        bareRps.push(await rps({ url: bare.url, connections: CONNECTIONS, seconds: SECONDS }));
        if (leanHome === undefined) {
          const run = await rpsAndCpu(
            get(`${lean.base}/tweets?limit=20`, reader.accessToken),
            leanPid,
          );
          leanRps.push(run.rps);
          leanMsPerRequest.push(run.ms);
          leanRedisMsPerRequest.push(run.redisMs);
        }
        if (PROFILE) apiProcess.child.kill('SIGUSR2');
        const run = await rpsAndCpu(get(base + path, reader.accessToken), apiProcess.child.pid!);
        if (PROFILE) apiProcess.child.kill('SIGUSR2');
        chirp.push(run.rps);
        chirpMs.push(run.ms);
        chirpRedisMs.push(run.redisMs);
      }
      const toLean =
        leanHome === undefined
          ? median(chirp.map((r, i) => r / leanRps[i]))
          : average(chirp) / leanHome;
      leanHome ??= average(leanRps);
      return {
        name,
        bytes: Buffer.byteLength(text),
        chirp: average(chirp),
        bare: average(bareRps),
        lean: leanHome,
        toBare: median(chirp.map((r, i) => r / bareRps[i])),
        toLean,
        chirpMs: median(chirpMs),
        leanMs: median(leanMsPerRequest),
        chirpRedisMs: median(chirpRedisMs),
        leanRedisMs: median(leanRedisMsPerRequest),
      };
    };
    const reads: ReadFigures[] = [];

    step(`Measuring reads, ${SECONDS} s per run…`);
    reads.push(await measureRead('GET /tweets (home, warm, 20 items)', '/tweets?limit=20', ROUNDS));
    const warmAvg = reads[0].chirp;

    // The same read on a node with rate limiting off, alternating with the main (on) one.
    const offPort = await freePort();
    const offNode = await startChirp('dist/app/index.js', {
      PORT: String(offPort),
      RATE_LIMIT_POINTS: '0',
    });
    const limitedRps: number[] = [];
    const unlimitedRps: number[] = [];
    try {
      for (let round = 0; round < 2; round += 1) {
        unlimitedRps.push(
          await rps(get(`http://127.0.0.1:${offPort}/tweets?limit=20`, reader.accessToken)),
        );
        limitedRps.push(await rps(get(`${base}/tweets?limit=20`, reader.accessToken)));
      }
    } finally {
      await offNode.stop();
    }
    const limitRatio = median(limitedRps.map((r, i) => r / unlimitedRps[i]));

    // One tweet, and the reader's notifications: 20 likes of a tweet of theirs.
    const [single] = warmPage.json.data as { id: string }[];
    reads.push(await measureRead('GET /tweets/:id', `/tweets/${single.id}`));
    const { json: own } = await call('POST', '/tweets', reader.accessToken, {
      content: 'Liked by every author',
    });
    for (const author of authors)
      await call('POST', `/tweets/${own.id as string}/like`, author.accessToken);
    const notifications = await call('GET', '/notifications?limit=20', reader.accessToken);
    const notified = (notifications.json.data as unknown[]).length;
    if (notified !== 20) throw new Error(`expected 20 notifications, got ${notified}`);
    reads.push(await measureRead('GET /notifications (20 items)', '/notifications?limit=20'));

    // Popular tweets: a ranking with engagement in it, read from its Redis snapshot.
    for (const [i, author] of authors.entries()) {
      const { json } = await call('GET', `/users/${author.id}/tweets?limit=1`, reader.accessToken);
      const [tweet] = json.data as { id: string }[];
      for (const fan of authors.slice(0, (i % 5) + 1))
        await call('POST', `/tweets/${tweet.id}/like`, fan.accessToken);
    }
    reads.push(await measureRead('GET /tweets/popular (20 items)', '/tweets/popular?limit=20'));

    if (ONLY_READS) {
      // The full run reads a writer's tweets after the writes; here one author posts 20.
      const author = await register();
      for (let i = 0; i < 20; i += 1)
        await call('POST', '/tweets', author.accessToken, { content: `Own tweet ${i} 🐦` });
      reads.push(
        await measureRead(
          'GET /users/:id/tweets (20 items)',
          `/users/${author.id}/tweets?limit=20`,
        ),
      );
      const limits = `rate limiting on vs off: ${fmt(average(limitedRps))} vs ${fmt(average(unlimitedRps))} req/s  ratio ${limitRatio.toFixed(3)} (median of 2 rounds)  (target >= 0.85)`;
      process.stdout.write([...readLines(reads), limits, ''].join('\n'));
      return;
    }

    step('Cold reads…');
    // Cold: 400 readers following the same authors, every cache and timeline dropped first,
    // each reader read once, so every request rebuilds a timeline from MySQL.
    const readers = await Promise.all(Array.from({ length: 400 }, register));
    for (const author of authors)
      await insertFollows(
        sequelize,
        readers.map((r) => r.id),
        author.id,
      );
    await dropTimelineCaches(redis);
    // Sixteen clients in parallel, each reader once (autocannon rounds short runs up to a
    // whole second, which would cap this figure).
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < readers.length) {
          const reader = readers[next++];
          const response = await fetch(`${base}/tweets?limit=20`, {
            headers: { authorization: `Bearer ${reader.accessToken}` },
          });
          await response.text();
          if (response.status !== 200) throw new Error(`cold read answered ${response.status}`);
        }
      }),
    );
    const coldRps = readers.length / ((performance.now() - started) / 1000);

    step('Writes…');
    const { writes, writers } = await measureWrites(writeDeps);
    reads.push(
      await measureRead(
        'GET /users/:id/tweets (20 items)',
        `/users/${writers[0].id}/tweets?limit=20`,
      ),
    );

    step('Fan-out…');
    // Fan-out: one author with 10,000 followers whose timelines exist (fan-out writes only
    // timelines that exist; a missing one is rebuilt whole on read).
    const celebrity = await register();
    const followers = await insertUsers(sequelize, 'fan', 10_000);
    await insertFollows(sequelize, followers, celebrity.id);
    const pipeline = redis.pipeline();
    for (const id of followers) pipeline.zadd(keys.home(id), 0, '0');
    await pipeline.exec();
    const fanoutSeconds: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const begin = performance.now();
      const { json } = await call('POST', '/tweets', celebrity.accessToken, {
        content: `To ten thousand, #${i}`,
      });
      const answered = performance.now();
      const id = json.id as string;
      const last = keys.home(followers[followers.length - 1]);
      while ((await redis.zscore(last, id)) === null) {
        if (performance.now() - begin > 30_000) throw new Error('fan-out did not finish in 30 s');
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      fanoutSeconds.push((performance.now() - answered) / 1000);
    }

    step('More reads…');
    // Threads and bookmarks: one tweet with 20 direct replies (one by each author), and 20
    // tweets the reader bookmarked.
    const [root] = (await call('GET', `/users/${authors[0].id}/tweets?limit=1`, reader.accessToken))
      .json.data as { id: string }[];
    for (const author of authors)
      await call('POST', '/tweets', author.accessToken, {
        content: `A reply by ${author.id} 🧵`,
        replyToId: root.id,
      });
    const replyPage = await call('GET', `/tweets/${root.id}/replies?limit=20`, reader.accessToken);
    const replies = (replyPage.json.data as unknown[]).length;
    if (replies !== 20) throw new Error(`expected 20 replies, got ${replies}`);
    reads.push(
      await measureRead(
        'GET /tweets/:id/replies (20 items)',
        `/tweets/${root.id}/replies?limit=20`,
      ),
    );
    for (const item of warmPage.json.data as { id: string }[])
      await call('POST', `/tweets/${item.id}/bookmark`, reader.accessToken);
    const bookmarkPage = await call('GET', '/bookmarks?limit=20', reader.accessToken);
    const marked = (bookmarkPage.json.data as unknown[]).length;
    if (marked !== 20) throw new Error(`expected 20 bookmarks, got ${marked}`);
    reads.push(await measureRead('GET /bookmarks (20 items)', '/bookmarks?limit=20'));
    // A hashtag: 20 tweets using #chirp (one by each author, with a second tag), read warm:
    // the page's ids from the (tag, tweet_id) key in MySQL, the tweets from the cache.
    for (const [i, author] of authors.entries())
      await call('POST', '/tweets', author.accessToken, {
        content: `Reading the #Chirp tag, post ${i} #bench${i % 3}`,
      });
    const tagPage = await call('GET', '/hashtags/chirp/tweets?limit=20', reader.accessToken);
    const tagged = (tagPage.json.data as unknown[]).length;
    if (tagged !== 20) throw new Error(`expected 20 tweets tagged #chirp, got ${tagged}`);
    reads.push(
      await measureRead('GET /hashtags/:tag/tweets (20 items)', '/hashtags/chirp/tweets?limit=20'),
    );
    // Search, read warm: users by a name prefix (bench1, bench10-19, … and the rest of the
    // registered bench1* accounts, most followers first; a second page exists, so every first
    // page also stores its ranking), and 40 tweets holding a word nothing else holds.
    const userSearch = '/search/users?q=bench1&limit=20';
    const userMatches = await countPages(call, base + userSearch, reader.accessToken);
    if (userMatches <= 20)
      throw new Error(`expected more than 20 bench1* users, got ${userMatches}`);
    reads.push(await measureRead(`GET /search/users (20 of ${userMatches})`, userSearch));
    for (const [i, author] of authors.entries()) {
      for (const half of ['morning', 'evening'])
        await call('POST', '/tweets', author.accessToken, {
          content: `A kestrel seen this ${half} by author ${i}`,
        });
    }
    const tweetSearch = '/search/tweets?q=kestrel&limit=20';
    const tweetMatches = await countPages(call, base + tweetSearch, reader.accessToken);
    if (tweetMatches !== 40) throw new Error(`expected 40 kestrel tweets, got ${tweetMatches}`);
    reads.push(await measureRead(`GET /search/tweets (20 of ${tweetMatches})`, tweetSearch));

    step('Realtime…');
    const liveAuthor = await register();
    const realtime = await measureRealtime({
      base,
      authorToken: liveAuthor.accessToken,
      insertUsers,
      insertFollows,
      sequelize,
      startProcess,
      freePort,
      apiPid: apiProcess.child.pid!,
    });

    const lines = [
      ...readLines(reads),
      '',
      `home timeline, cold (rebuilt from MySQL):      ${fmt(coldRps)} req/s  ratio to warm ${ratio(coldRps, warmAvg)}`,
      `home timeline, rate limiting on vs off:        ${fmt(average(limitedRps))} vs ${fmt(average(unlimitedRps))} req/s  ratio ${limitRatio.toFixed(3)} (median of 2 rounds)  (target >= 0.85)`,
      '',
      ...writeLines(SECONDS, writes),
      '',
      `fan-out to 10,000 followers, 201 to last timeline: ${fanoutSeconds.map((s) => s.toFixed(3)).join(' s, ')} s  median ${median(fanoutSeconds).toFixed(3)} s  (target <= 0.5 s)`,
      `realtime, ${realtime.sockets} sockets on 2 API nodes, POST answer to tweet:new over ${realtime.deliveries} deliveries: p50 ${realtime.p50.toFixed(1)} ms, p99 ${realtime.p99.toFixed(1)} ms  (target p99 <= 250 ms)`,
      `memory per idle connected socket: ${(realtime.bytesPerSocket / 1024).toFixed(1)} KiB (RSS growth of a fresh API node / its sockets)`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    await generator.stop();
    await bare.stop();
    await lean.stop();
    await apiProcess.stop();
    await worker.stop();
    await sequelize.close();
    await closeRedis();
  }
}

/** The reads' table: each read's rate on Chirp, bare and lean, and Chirp's ratios to them. */
function readLines(reads: ReadFigures[]): string[] {
  return [
    '',
    `reads, warm, each server in its own process (${SECONDS} s runs; home timeline: median of ${ROUNDS} alternating rounds, others: 1 round of bare and Chirp):`,
    `${'read'.padEnd(42)}${'bytes'.padStart(7)}${'Chirp'.padStart(8)}${'bare'.padStart(8)}${'lean'.padStart(8)}  Chirp/bare  Chirp/lean  CPU ms/req Chirp  lean  Redis Chirp  lean`,
    ...reads.map(
      (r) =>
        `${r.name.padEnd(42)}${String(r.bytes).padStart(7)}${fmt(r.chirp)}${fmt(r.bare)}${fmt(r.lean)}  ${r.toBare.toFixed(3).padStart(10)}  ${r.toLean.toFixed(3).padStart(10)}  ${r.chirpMs.toFixed(3).padStart(16)}${r.leanMs.toFixed(3).padStart(6)}${r.chirpRedisMs.toFixed(3).padStart(13)}${r.leanRedisMs.toFixed(3).padStart(6)}`,
    ),
    "(req/s; lean serves the home timeline, the same bytes as Chirp, in the first row's rounds; the other rows are set against that figure; target: home Chirp/lean >= 0.9; CPU ms per request of Chirp's API process and of lean's, then of Redis serving each, medians of the rounds, from /proc)",
  ];
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/**
 * 1,000 sockets, half on each of two API nodes, all following one author; each of a few
 * tweets is timed from the moment its POST is answered to each socket's `tweet:new`.
 */
async function measureRealtime(deps: {
  base: string;
  authorToken: string;
  apiPid: number;
  sequelize: Sequelize;
  insertUsers: (s: Sequelize, prefix: string, n: number) => Promise<string[]>;
  insertFollows: (s: Sequelize, followers: string[], followee: string) => Promise<void>;
  startProcess: (entry: string, env?: Record<string, string>) => Promise<RunningProcess>;
  freePort: () => Promise<number>;
}) {
  const { signAccessToken } = await import('../../app/auth/tokens');
  const { io } = await import('socket.io-client');
  const SOCKETS = 1000;
  const port2 = await deps.freePort();
  const second = await deps.startProcess('dist/app/index.js', { PORT: String(port2) });
  try {
    const me = (await (
      await fetch(`${deps.base}/users/me`, {
        headers: { authorization: `Bearer ${deps.authorToken}` },
      })
    ).json()) as { id: string };
    const followers = await deps.insertUsers(deps.sequelize, 'live', SOCKETS);
    await deps.insertFollows(deps.sequelize, followers, me.id);
    // Measured on the second node only: it served nothing before, so its heap is settled.
    const rssBefore = rssOf(second.child.pid!);
    const bases = [deps.base, `http://127.0.0.1:${port2}`];
    const arrivals: number[][] = [];
    let current = -1;
    // A hundred handshakes at a time: all 1,000 at once timed out the handshake's Redis
    // checks (rate limit, token version) on a loaded machine, and connecting is not measured.
    const connect = async (id: string, i: number) => {
      const token = signAccessToken({ sub: id, ver: 0, fam: randomUUID() });
      const socket = io(bases[i % 2], {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
      });
      socket.on('tweet:new', () => arrivals[current]?.push(performance.now()));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return socket;
    };
    const sockets: Awaited<ReturnType<typeof connect>>[] = [];
    for (let start = 0; start < followers.length; start += 100) {
      const batch = followers.slice(start, start + 100);
      sockets.push(...(await Promise.all(batch.map((id, i) => connect(id, start + i)))));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000)); // let the nodes settle
    const bytesPerSocket = (rssOf(second.child.pid!) - rssBefore) / (SOCKETS / 2);
    const latencies: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      arrivals[round] = [];
      current = round;
      const response = await fetch(`${deps.base}/tweets`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${deps.authorToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ content: `Live #${round}` }),
      });
      const answered = performance.now();
      if (response.status !== 201) throw new Error(`POST /tweets answered ${response.status}`);
      const deadline = answered + 10_000;
      while (arrivals[round].length < SOCKETS && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (arrivals[round].length < SOCKETS)
        throw new Error(
          `only ${arrivals[round].length} of ${SOCKETS} sockets heard tweet #${round}`,
        );
      latencies.push(...arrivals[round].map((t) => Math.max(t - answered, 0)));
    }
    for (const socket of sockets) socket.close();
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    return {
      sockets: SOCKETS,
      deliveries: latencies.length,
      p50: at(0.5),
      p99: at(0.99),
      bytesPerSocket,
    };
  } finally {
    await second.stop();
  }
}

/** How many items a list holds, walking its pages from the first (`url` has the page size). */
async function countPages(
  call: (method: string, path: string, token: string) => Promise<{ json: Record<string, unknown> }>,
  url: string,
  token: string,
): Promise<number> {
  const { pathname, search } = new URL(url);
  let count = 0;
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `${search}&cursor=${encodeURIComponent(cursor)}` : search;
    const { json } = await call('GET', `${pathname}${query}`, token);
    count += (json.data as unknown[]).length;
    cursor = json.nextCursor as string | null;
  } while (cursor !== null);
  return count;
}

async function dropTimelineCaches(redis: Redis): Promise<void> {
  const prefixes = [PREFIX.home, PREFIX.celebrities, PREFIX.author, PREFIX.tweet];
  const flagPrefixes = VIEWER_FLAGS.map((flag) => flag.prefix);
  for (const pattern of [...prefixes, ...flagPrefixes].map((prefix) => `${prefix}*`)) {
    let cursor = '0';
    do {
      const [nextCursor, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = nextCursor;
      if (found.length > 0) await redis.del(...found);
    } while (cursor !== '0');
  }
}

const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (value: number) => Math.round(value).toString().padStart(7);
const ratio = (a: number, b: number) => (a / b).toFixed(3);

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
