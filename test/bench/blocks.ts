/**
 * `npm run bench:blocks`: what blocks and mutes cost the warm home timeline (issue 15: a
 * reader with 100 blocks and 100 mutes within 10% of one with none). Two readers follow the
 * same 20 authors and so read the same 20-item page, byte for byte; one of them blocks 100
 * users and mutes 100 others first, so the page script checks their hidden set. Runs of the
 * two alternate against one API process (autocannon, 32 connections); only the ratio of
 * neighbouring runs means anything on a shared machine. Its own database (BENCH_DATABASE_URL,
 * default chirp_bench_blocks) and Redis database (BENCH_REDIS_URL, default 12).
 */
import autocannon from 'autocannon';
import { benchClient } from './harness';

Object.assign(process.env, {
  NODE_ENV: 'production',
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/chirp_bench_blocks',
  REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/12',
  JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
  BCRYPT_ROUNDS: '4',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_POINTS: '1000000',
  AUTH_RATE_LIMIT_POINTS: '1000000',
});

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONNECTIONS = 32;
const HIDDEN = 100;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function main(): Promise<void> {
  const { resetStores } = await import('../helpers/stores');
  const { startProcess, freePort } = await import('../helpers/processes');
  const { closeRedis } = await import('../../app/infra/redis');
  const { sequelize } = await import('../../app/infra/db');
  await resetStores();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = await startProcess('app/index.ts', { PORT: String(port), LOG_LEVEL: 'warn' });
  const { call, register } = benchClient(base, 'blk');
  const rps = async (token: string) => {
    const result = await autocannon({
      url: `${base}/tweets?limit=20`,
      headers: { authorization: `Bearer ${token}` },
      connections: CONNECTIONS,
      duration: SECONDS,
    });
    if (result.non2xx > 0) throw new Error(`${result.non2xx} answers were not 2xx`);
    return result.requests.average;
  };
  try {
    const authors = await Promise.all(Array.from({ length: 20 }, register));
    for (const author of authors) {
      for (let i = 0; i < 2; i += 1) {
        await call('POST', '/tweets', author.accessToken, { content: `Tweet ${i} 🐦` });
      }
    }
    const [plain, guarded] = [await register(), await register()];
    const others = await Promise.all(Array.from({ length: 2 * HIDDEN }, register));
    for (const reader of [plain, guarded]) {
      for (const author of authors) {
        await call('POST', `/users/${author.id}/follow`, reader.accessToken);
      }
    }
    for (const [i, other] of others.entries()) {
      await call(
        'POST',
        `/users/${other.id}/${i < HIDDEN ? 'block' : 'mute'}`,
        guarded.accessToken,
      );
    }
    const [plainPage, guardedPage] = [
      (await call('GET', '/tweets?limit=20', plain.accessToken)).text,
      (await call('GET', '/tweets?limit=20', guarded.accessToken)).text,
    ];
    if (plainPage !== guardedPage) throw new Error('the two readers read different pages');
    const items = (JSON.parse(plainPage) as { data: unknown[] }).data.length;
    if (items !== 20) throw new Error(`expected 20 items, got ${items}`);

    const ratios: number[] = [];
    const figures: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // Which reader runs first alternates, so neither gains from the other's warm-up.
      const first = round % 2 === 0 ? plain : guarded;
      const a = await rps(first.accessToken);
      const b = await rps((first === plain ? guarded : plain).accessToken);
      const [none, some] = first === plain ? [a, b] : [b, a];
      ratios.push(some / none);
      figures.push(`${Math.round(none)} vs ${Math.round(some)}`);
    }
    process.stdout.write(
      `warm GET /tweets (20 items), ${SECONDS} s runs, req/s (no blocks vs ${HIDDEN} blocks + ` +
        `${HIDDEN} mutes): ${figures.join(', ')}\n` +
        `ratio with to without, median of ${ROUNDS} rounds: ${median(ratios).toFixed(3)} ` +
        '(target >= 0.9)\n',
    );
  } finally {
    await api.stop();
    await sequelize.close();
    await closeRedis();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
