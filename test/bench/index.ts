/**
 * `npm run bench`: throughput of Chirp's hot paths as ratios to a bare Node HTTP server that
 * answers the same bytes, measured in the same run (this machine is shared and noisy, so
 * only ratios mean anything). Uses its own database (chirp_bench) and Redis database 14.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type Redis from 'ioredis';
import type { Sequelize } from 'sequelize';
import { PREFIX, VIEWER_FLAGS, keys } from '../../app/cache/keys';
import type { RunningProcess } from '../helpers/processes';

Object.assign(process.env, {
  NODE_ENV: 'production',
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/chirp_bench',
  REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14',
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
  BCRYPT_ROUNDS: '4',
  LOG_LEVEL: 'warn',
  // The main node runs without rate limiting (the timeline figures); a second node checks
  // limits on every request, never reaching them, for the on/off ratio.
  RATE_LIMIT_POINTS: '0',
  AUTH_RATE_LIMIT_POINTS: '1000000',
});

const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 32;

interface Session {
  id: string;
  accessToken: string;
}

async function main(): Promise<void> {
  const { sequelize } = await import('../../app/infra/db');
  const { redis, closeRedis } = await import('../../app/infra/redis');
  const { startProcess, freePort } = await import('../helpers/processes');
  const { insertUsers, insertFollows } = await import('./world');
  const { resetStores } = await import('../helpers/stores');

  await resetStores(); // chirp_bench and Redis database 14: the benchmark's own

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const apiProcess = await startProcess('dist/app/index.js', { PORT: String(port) });
  const worker = await startProcess('dist/workers/index.js');
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
    const name = `bench${registered}`;
    const { json } = await call('POST', '/auth/register', undefined, {
      username: name,
      email: `${name}@bench.test`,
      password: 'bench password 123',
    });
    return { id: (json.user as { id: string }).id, accessToken: json.accessToken as string };
  };

  try {
    process.stdout.write(
      'Setting up: 20 authors with 2 tweets each, one reader following them all…\n',
    );
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

    // The bare server: the same bytes, the same content type, nothing else.
    const bare = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(warmPage.text);
    });
    const barePort = await freePort();
    await new Promise<void>((resolve) => bare.listen(barePort, '127.0.0.1', resolve));

    const run = async (url: string, options: Partial<autocannon.Options> = {}) => {
      const result = await autocannon({
        url,
        connections: CONNECTIONS,
        duration: DURATION,
        ...options,
      });
      if (result.non2xx > 0 || result.errors > 0) {
        throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      }
      return result.requests.average;
    };
    const auth = { headers: { authorization: `Bearer ${reader.accessToken}` } };

    process.stdout.write(`Measuring, ${DURATION} s per run…\n`);
    // Alternate the two sides so a noisy neighbour hurts both alike.
    const bareRps: number[] = [];
    const warmRps: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      bareRps.push(await run(`http://127.0.0.1:${barePort}/`));
      warmRps.push(await run(`${base}/tweets?limit=20`, auth));
    }
    const bareAvg = average(bareRps);
    const warmAvg = average(warmRps);
    // Each round's ratio is taken between neighbouring runs; the median resists a noisy one.
    const warmRatio = median(warmRps.map((rps, i) => rps / bareRps[i]));

    // The same read on a node with rate limiting on, alternating with the main (off) one.
    const onPort = await freePort();
    const onNode = await startProcess('dist/app/index.js', {
      PORT: String(onPort),
      RATE_LIMIT_POINTS: '1000000',
    });
    const limitedRps: number[] = [];
    const unlimitedRps: number[] = [];
    try {
      for (let round = 0; round < 3; round += 1) {
        unlimitedRps.push(await run(`${base}/tweets?limit=20`, auth));
        limitedRps.push(await run(`http://127.0.0.1:${onPort}/tweets?limit=20`, auth));
      }
    } finally {
      await onNode.stop();
    }
    const limitRatio = median(limitedRps.map((rps, i) => rps / unlimitedRps[i]));

    // Popular tweets: a ranking with engagement in it, read from its Redis snapshot.
    for (const [i, author] of authors.entries()) {
      const { json } = await call('GET', `/users/${author.id}/tweets?limit=1`, reader.accessToken);
      const [tweet] = json.data as { id: string }[];
      for (const fan of authors.slice(0, (i % 5) + 1))
        await call('POST', `/tweets/${tweet.id}/like`, fan.accessToken);
    }
    const popularRps = await run(`${base}/tweets/popular?limit=20`, auth);

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

    // Writes: 64 authors taking turns (one author's posts queue on their own counter row).
    const posters = await Promise.all(Array.from({ length: 64 }, register));
    let turn = 0;
    const postRps = await run(`${base}/tweets`, {
      method: 'POST',
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            headers: {
              ...request.headers,
              'content-type': 'application/json',
              authorization: `Bearer ${posters[turn++ % posters.length].accessToken}`,
            },
          }),
        },
      ],
      body: JSON.stringify({ content: 'Benchmarking Chirp, one tweet at a time.' }),
    });

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

    // Threads and bookmarks, measured last so the figures above keep their setting: one
    // tweet with 20 direct replies (one by each author), and 20 tweets the reader bookmarked.
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
    const repliesRps = await run(`${base}/tweets/${root.id}/replies?limit=20`, auth);
    for (const item of warmPage.json.data as { id: string }[])
      await call('POST', `/tweets/${item.id}/bookmark`, reader.accessToken);
    const bookmarkPage = await call('GET', '/bookmarks?limit=20', reader.accessToken);
    const marked = (bookmarkPage.json.data as unknown[]).length;
    if (marked !== 20) throw new Error(`expected 20 bookmarks, got ${marked}`);
    const bookmarksRps = await run(`${base}/bookmarks?limit=20`, auth);
    // A hashtag: 20 tweets using #chirp (one by each author, with a second tag), read warm:
    // the page's ids from the (tag, tweet_id) key in MySQL, the tweets from the cache.
    for (const [i, author] of authors.entries())
      await call('POST', '/tweets', author.accessToken, {
        content: `Reading the #Chirp tag, post ${i} #bench${i % 3}`,
      });
    const tagPage = await call('GET', '/hashtags/chirp/tweets?limit=20', reader.accessToken);
    const tagged = (tagPage.json.data as unknown[]).length;
    if (tagged !== 20) throw new Error(`expected 20 tweets tagged #chirp, got ${tagged}`);
    const hashtagRps = await run(`${base}/hashtags/chirp/tweets?limit=20`, auth);
    // Search, read warm: users by a name prefix (bench1, bench10-19, … and the rest of the
    // registered bench1* accounts, most followers first; a second page exists, so every first
    // page also stores its ranking), and 40 tweets holding a word nothing else holds.
    const userSearch = `${base}/search/users?q=bench1&limit=20`;
    const userMatches = await countPages(call, userSearch, reader.accessToken);
    if (userMatches <= 20)
      throw new Error(`expected more than 20 bench1* users, got ${userMatches}`);
    const userSearchRps = await run(userSearch, auth);
    for (const [i, author] of authors.entries()) {
      for (const half of ['morning', 'evening'])
        await call('POST', '/tweets', author.accessToken, {
          content: `A kestrel seen this ${half} by author ${i}`,
        });
    }
    const tweetSearch = `${base}/search/tweets?q=kestrel&limit=20`;
    const tweetMatches = await countPages(call, tweetSearch, reader.accessToken);
    if (tweetMatches !== 40) throw new Error(`expected 40 kestrel tweets, got ${tweetMatches}`);
    const tweetSearchRps = await run(tweetSearch, auth);
    bare.close();

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
      '',
      `bare node http (same ${warmPage.text.length} bytes): ${fmt(bareAvg)} req/s`,
      `home timeline, warm (GET /tweets, 20 items):   ${fmt(warmAvg)} req/s  ratio to bare ${warmRatio.toFixed(3)} (median of 3 rounds)  (target >= 0.25)`,
      `home timeline, cold (rebuilt from MySQL):      ${fmt(coldRps)} req/s  ratio to warm ${ratio(coldRps, warmAvg)}`,
      `home timeline, rate limiting on vs off:        ${fmt(average(limitedRps))} vs ${fmt(average(unlimitedRps))} req/s  ratio ${limitRatio.toFixed(3)} (median of 3 rounds)  (target >= 0.85)`,
      `GET /tweets/popular (20 items):                ${fmt(popularRps)} req/s  ratio to bare ${ratio(popularRps, bareAvg)}`,
      `GET /tweets/:id/replies (20 replies):          ${fmt(repliesRps)} req/s  ratio to bare ${ratio(repliesRps, bareAvg)}`,
      `GET /bookmarks (20 items):                     ${fmt(bookmarksRps)} req/s  ratio to bare ${ratio(bookmarksRps, bareAvg)}`,
      `GET /hashtags/:tag/tweets (20 items):          ${fmt(hashtagRps)} req/s  ratio to bare ${ratio(hashtagRps, bareAvg)}`,
      `${`GET /search/users (20 of ${userMatches} matches):`.padEnd(47)}${fmt(userSearchRps)} req/s  ratio to bare ${ratio(userSearchRps, bareAvg)}`,
      `${`GET /search/tweets (20 of ${tweetMatches} matches):`.padEnd(47)}${fmt(tweetSearchRps)} req/s  ratio to bare ${ratio(tweetSearchRps, bareAvg)}`,
      `POST /tweets:                                   ${fmt(postRps)} req/s  ratio to bare ${ratio(postRps, bareAvg)}`,
      `fan-out to 10,000 followers, 201 to last timeline: ${fanoutSeconds.map((s) => s.toFixed(3)).join(' s, ')} s  median ${median(fanoutSeconds).toFixed(3)} s  (target <= 0.5 s)`,
      `realtime, ${realtime.sockets} sockets on 2 API nodes, POST answer to tweet:new over ${realtime.deliveries} deliveries: p50 ${realtime.p50.toFixed(1)} ms, p99 ${realtime.p99.toFixed(1)} ms  (target p99 <= 250 ms)`,
      `memory per idle connected socket: ${(realtime.bytesPerSocket / 1024).toFixed(1)} KiB (RSS growth of a fresh API node / its sockets)`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    await apiProcess.stop();
    await worker.stop();
    await sequelize.close();
    await closeRedis();
  }
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
    const sockets = await Promise.all(
      followers.map(async (id, i) => {
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
      }),
    );
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
