/**
 * Loaded by mocha before any test file: points Chirp at the suite's own MySQL database and
 * Redis logical database (never the developer's), migrates it and empties it once.
 * TEST_DATABASE_URL and TEST_REDIS_URL move them elsewhere.
 *
 * `npm test` runs files in two mocha worker processes at once (--parallel): each worker has a
 * database and a Redis logical database of its own, so no test sees another's rows or keys.
 * Worker 0 keeps the names above; worker n adds `_w<n>` to the database name and takes the
 * Redis database n below the suite's.
 */
const worker = Number(process.env.MOCHA_WORKER_ID ?? 0);
const baseDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/chirp_test';
const databaseUrl =
  worker === 0 ? baseDatabaseUrl : baseDatabaseUrl.replace(/(\/[^/?]+)(\?|$)/, `$1_w${worker}$2`);
const baseRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/13';
const redisUrl = baseRedisUrl.replace(/\/(\d+)$/, (_, db: string) => `/${Number(db) - worker}`);
if (!/\/\d+$/.test(redisUrl) || !/\/[1-9]\d*$/.test(redisUrl)) {
  throw new Error(
    'TEST_REDIS_URL must name a logical database other than 0 (the suite flushes it)',
  );
}
Object.assign(process.env, {
  NODE_ENV: 'test',
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  BCRYPT_ROUNDS: '4',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  PUBLIC_URL: 'http://chirp.test',
  JWT_SECRET: 'test-secret-that-is-at-least-32-bytes-long!',
  // /metrics answers only this Bearer token (test/helpers/metrics.ts sends it).
  METRICS_TOKEN: 'test-metrics-token-of-the-suite',
  // Suites make many requests from one address; the rate-limit tests start their own
  // processes with the real, small budgets.
  RATE_LIMIT_POINTS: '1000000',
  AUTH_RATE_LIMIT_POINTS: '1000000',
});
delete process.env.SMTP_URL;

/** Once per process: in parallel mode mocha runs root `beforeAll` hooks before every file. */
let prepared: Promise<void> | undefined;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(60_000);
    // Imported here, after the environment above is in place.
    prepared ??= import('./helpers/stores').then(({ prepareTestStores }) => prepareTestStores());
    await prepared;
  },
};
